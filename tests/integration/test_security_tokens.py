"""Tampered credentials through the gateway: every forged, expired, revoked or
broken token and every unknown API key is a 401 problem+json that carries no data.

Tokens with bad claims are signed with identity's real signing key (read from its
database with the test stack's development passphrase), and a token forged the
same way with good claims is accepted: so each 401 is for the claim at fault."""

from __future__ import annotations

import asyncio
import base64
import json
import time
import uuid
from typing import Any

import asyncpg
import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from identity.config import DEV_KEY_PASSPHRASE
from tests.integration.access_org import Org, build_org
from tests.integration.api import Api
from tests.integration.conftest import Stack

LEADS = "/api/v1/leads"
MARKER = f"Tampering{uuid.uuid4().hex[:8]}"


@pytest.fixture(scope="module")
def org(api: Api) -> Org:
    org = build_org(api)
    org.ids["lead_id"] = org.admin("POST", LEADS, json={"last_name": MARKER})["id"]
    return org


def _b64(data: dict[str, Any]) -> str:
    raw = json.dumps(data, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _claims(token: str) -> dict[str, Any]:
    return dict(jwt.decode(token, options={"verify_signature": False}))


def _signing_key(stack: Stack, kid: str) -> Ed25519PrivateKey:
    async def read() -> bytes:
        conn = await asyncpg.connect(stack.identity_db_url.replace("+asyncpg", ""))
        try:
            pem = await conn.fetchval("SELECT private_pem FROM signing_keys WHERE kid = $1", kid)
        finally:
            await conn.close()
        return bytes(pem)

    key = serialization.load_pem_private_key(
        asyncio.run(read()), password=DEV_KEY_PASSPHRASE.encode()
    )
    assert isinstance(key, Ed25519PrivateKey)
    return key


def assert_refused(response: httpx.Response, what: str = "") -> None:
    """401 problem+json naming the scheme, and nothing of the tenant's data."""
    assert response.status_code == 401, f"{what}: {response.status_code} {response.text}"
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.headers["www-authenticate"].startswith("Bearer")
    body = response.json()
    assert body["status"] == 401 and "items" not in body
    assert MARKER not in response.text


def _call(api: Api, value: str, header: str = "Authorization") -> httpx.Response:
    bearer = f"Bearer {value}" if header == "Authorization" else value
    return api.http.get(LEADS, headers={header: bearer})


def test_tokens_with_forged_signatures_or_algorithms_are_refused(api: Api, org: Org) -> None:
    token = org.tenant.admin.access_token
    kid = jwt.get_unverified_header(token)["kid"]
    claims = _claims(token)
    jwks = api.http.get("/.well-known/jwks.json").json()["keys"]
    public_x = next(k for k in jwks if k["kid"] == kid)["x"]
    forged = {
        "alg none": f"{_b64({'alg': 'none', 'typ': 'JWT', 'kid': kid})}.{_b64(claims)}.",
        "alg none, signature kept": ".".join(
            [_b64({"alg": "none", "kid": kid}), _b64(claims), token.split(".")[2]]
        ),
        # HS256 keyed with the public key: the classic algorithm confusion.
        "hs256 with the public key": jwt.encode(
            claims, public_x, algorithm="HS256", headers={"kid": kid}
        ),
        "another key, real kid": jwt.encode(
            claims, Ed25519PrivateKey.generate(), algorithm="EdDSA", headers={"kid": kid}
        ),
        "another key, unknown kid": jwt.encode(
            claims, Ed25519PrivateKey.generate(), algorithm="EdDSA", headers={"kid": "nope"}
        ),
        "claims changed, signature kept": ".".join(
            [token.split(".")[0], _b64({**claims, "tid": org.other.id}), token.split(".")[2]]
        ),
    }
    for name, value in forged.items():
        assert_refused(_call(api, value), name)
    assert _call(api, token).status_code == 200  # the genuine token still works


def test_tokens_with_bad_claims_are_refused_even_when_properly_signed(
    api: Api, org: Org, stack: Stack
) -> None:
    token = org.tenant.admin.access_token
    kid = jwt.get_unverified_header(token)["kid"]
    key = _signing_key(stack, kid)
    now = int(time.time())
    good = {**_claims(token), "iat": now, "exp": now + 300}

    def sign(claims: dict[str, Any]) -> str:
        return jwt.encode(claims, key, algorithm="EdDSA", headers={"kid": kid})

    # The forging itself is sound: good claims pass.
    assert _call(api, sign(good)).status_code == 200
    without_sid = {k: v for k, v in good.items() if k != "sid"}
    bad = {
        "expired": {**good, "iat": now - 7200, "exp": now - 3600},
        "issued in the future": {**good, "iat": now + 3600, "exp": now + 7200},
        "not valid yet": {**good, "nbf": now + 3600},
        "wrong audience": {**good, "aud": "another-service"},
        "wrong issuer": {**good, "iss": "https://evil.example"},
        "not an access token": {**good, "typ": "refresh"},
        "no session id": without_sid,
    }
    for name, claims in bad.items():
        assert_refused(_call(api, sign(claims)), name)


def test_broken_and_revoked_tokens_are_refused(api: Api, org: Org) -> None:
    session = api.login(org.tenant.slug, org.tenant.admin.email)
    token = session.access_token
    flipped = token[:-2] + ("A" if token[-2] != "A" else "B") + token[-1]
    for value in [
        token[:-10],
        token[: len(token) // 2],
        flipped,
        token + "x",
        "garbage",
        "a.b.c",
        "e30.e30.",
        session.refresh_token,  # a refresh token is not an access token
        "x" * 4000,
    ]:
        assert_refused(_call(api, value), value[:40])
    assert _call(api, token).status_code == 200
    assert api.request("POST", "/api/v1/auth/logout", session).status_code == 204
    assert_refused(_call(api, token))  # revoked


def test_unknown_broken_and_revoked_api_keys_are_refused(api: Api, org: Org) -> None:
    body = {"name": "revoke-me", "profile_id": org.ids["read_only_profile_id"]}
    key = org.admin("POST", "/api/v1/api-keys", json=body)
    secret = key["secret"]
    assert _call(api, secret).status_code == 200
    near_miss = secret[:-1] + ("A" if secret[-1] != "A" else "B")
    for value in ["crm_" + uuid.uuid4().hex, near_miss, secret[:-6], "crm_", "not-a-key"]:
        assert_refused(_call(api, value), value)
        assert_refused(_call(api, value, header="X-API-Key"), value)
    org.admin("DELETE", f"/api/v1/api-keys/{key['id']}")
    deadline = time.monotonic() + 15  # the gateway caches a verified key for 5 s
    while _call(api, secret).status_code == 200 and time.monotonic() < deadline:
        time.sleep(0.5)
    assert_refused(_call(api, secret))
    assert_refused(_call(api, secret, header="X-API-Key"))


def test_another_tenants_token_finds_nothing_of_this_tenant(api: Api, org: Org) -> None:
    other = org.other.admin
    lead_id = org.ids["lead_id"]
    response = api.request("GET", f"{LEADS}/{lead_id}", other)
    assert response.status_code == 404, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert MARKER not in response.text
    for method, body in [("PATCH", {"last_name": "stolen"}), ("DELETE", None)]:
        changed = api.request(method, f"{LEADS}/{lead_id}", other, json=body)
        assert changed.status_code == 404, changed.text
    listed = api.request("GET", LEADS, other, params={"q": MARKER})
    assert listed.status_code == 200 and listed.json()["items"] == []
    # Untouched for its own tenant.
    assert org.admin("GET", f"{LEADS}/{lead_id}")["last_name"] == MARKER
