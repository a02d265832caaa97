"""The access-token contract between identity (issuer) and verifiers.

Claims: iss, aud, sub (user id), tid (tenant id), tsl (tenant slug), sid
(session = refresh-token family), jti, iat, exp, roles, perms, typ="access".
Signed with EdDSA (Ed25519); the header's ``kid`` names the JWKS key.
"""

from __future__ import annotations

from typing import Any

from crm_common.auth import Principal

ISSUER = "crm-identity"
AUDIENCE = "crm"
ALGORITHM = "EdDSA"
REQUIRED_CLAIMS = ("iss", "aud", "sub", "tid", "sid", "iat", "exp", "jti")


def principal_from_claims(claims: dict[str, Any]) -> Principal:
    return Principal(
        kind="user",
        tenant_id=str(claims["tid"]),
        user_id=str(claims["sub"]),
        session_id=str(claims["sid"]),
        roles=tuple(claims.get("roles", ())),
        permissions=tuple(claims.get("perms", ())),
        role_id=str(claims.get("rid", "")),
        profile_ids=tuple(claims.get("pids", ())),
    )
