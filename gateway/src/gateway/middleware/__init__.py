"""Pure ASGI middleware (no BaseHTTPMiddleware: it would hide context variables)."""
