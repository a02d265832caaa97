"""Request and response bodies, one module per resource (XCreate/XUpdate/XRead/XPage)."""
