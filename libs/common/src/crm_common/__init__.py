"""Plumbing shared by every CRM service. No business rules live here."""
