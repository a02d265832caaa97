"""Authentication: access tokens verified locally from identity's JWKS, and the
platform operator's token."""
