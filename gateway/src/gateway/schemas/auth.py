from __future__ import annotations

from pydantic import BaseModel, Field

from gateway.schemas.common import RequestBody


class TokenRequest(RequestBody):
    tenant: str = Field(description="The tenant's slug")
    email: str
    password: str


class RefreshRequest(RequestBody):
    refresh_token: str


class LogoutRequest(RequestBody):
    refresh_token: str | None = Field(
        default=None, description="Also revoke this refresh token's family"
    )


class TokenPairRead(BaseModel):
    access_token: str
    refresh_token: str
    token_type: str = "bearer"  # noqa: S105 - the OAuth token type, not a secret
    expires_in: int = Field(description="Seconds until the access token expires")
