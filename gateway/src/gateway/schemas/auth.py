from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, StringConstraints

from gateway.schemas.common import Password, RequestBody

Token = Annotated[str, StringConstraints(min_length=1, max_length=4096)]


class TokenRequest(RequestBody):
    tenant: Annotated[str, StringConstraints(min_length=1, max_length=63)]  # the tenant slug
    # Any string: a malformed address is just a failed login (401), not a hint.
    email: Annotated[str, StringConstraints(min_length=1, max_length=254)]
    password: Password


class RefreshRequest(RequestBody):
    refresh_token: Token


class LogoutRequest(RequestBody):
    refresh_token: Token | None = None


class TokenPairRead(BaseModel):
    access_token: str
    refresh_token: str
    token_type: str = "bearer"  # noqa: S105 - the OAuth token type, not a secret
    expires_in: int
