"""The sales service: leads (first slice)."""
