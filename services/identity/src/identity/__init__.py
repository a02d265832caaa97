"""Identity service: tenants, users, sessions, signing keys and access audit."""
