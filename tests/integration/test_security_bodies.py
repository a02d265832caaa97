"""Hostile request bodies through the gateway: too large (413), nested too deep,
with unknown fields (422 naming them, on every operation that takes JSON), not
UTF-8 or not storable text (4xx): never a 5xx, nothing made, and the gateway
keeps answering."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.integration.access_org import Org, build_org
from tests.integration.api import Api
from tests.integration.security_inputs import AdminPool

MAX_BODY_BYTES = 1024 * 1024  # the gateway's default CRM_MAX_BODY_BYTES
MARKER = f"Bodies{uuid.uuid4().hex[:8]}"
UNKNOWN = "zz_not_a_field"
PROBLEM = "application/problem+json"


@pytest.fixture(scope="module")
def org(api: Api) -> Org:
    return build_org(api)


@pytest.fixture(scope="module")
def admins(org: Org) -> AdminPool:
    return AdminPool(org, size=2)


def _post(api: Api, org: Org, path: str, content: Any, ctype: str) -> httpx.Response:
    headers = {**org.tenant.admin.headers, "Content-Type": ctype}
    return api.http.post(path, content=content, headers=headers)


def _nothing_made(api: Api, org: Org) -> None:
    found = api.request("GET", "/api/v1/leads", org.tenant.admin, params={"q": MARKER})
    assert found.status_code == 200 and found.json()["items"] == []


def _still_up(api: Api, org: Org) -> None:
    assert api.http.get("/healthz").status_code == 200
    assert api.request("GET", "/api/v1/me", org.tenant.admin).status_code == 200


def test_oversized_bodies_are_refused_with_413(api: Api, org: Org) -> None:
    big = ('{"last_name": "' + MARKER + "x" * MAX_BODY_BYTES + '"}').encode()

    def chunks() -> Iterator[bytes]:  # no Content-Length: the gateway must count
        for start in range(0, len(big), 64 * 1024):
            yield big[start : start + 64 * 1024]

    for what, response in [
        ("declared", _post(api, org, "/api/v1/leads", big, "application/json")),
        ("chunked", _post(api, org, "/api/v1/leads", chunks(), "application/json")),
        ("csv", _post(api, org, "/api/v1/leads/import", big, "text/csv")),
        ("anonymous", api.http.post("/api/v1/auth/token", content=big)),
    ]:
        assert response.status_code == 413, f"{what}: {response.text[:300]}"
        assert response.headers["content-type"].startswith(PROBLEM), what
        assert str(MAX_BODY_BYTES) in response.json()["detail"], what
    _nothing_made(api, org)
    _still_up(api, org)


def test_deeply_nested_json_is_a_client_error(api: Api, org: Org) -> None:
    depth = 10_000
    deep_list = "[" * depth + "]" * depth
    deep_object = '{"a":' * depth + "1" + "}" * depth
    bodies = [
        deep_list,
        deep_object,
        '{"last_name": "' + MARKER + '", "custom_fields": ' + deep_object + "}",
        '{"last_name": "' + MARKER + '", "tags": ' + deep_list + "}",
    ]
    for body in bodies:
        response = _post(api, org, "/api/v1/leads", body.encode(), "application/json")
        assert 400 <= response.status_code < 500, response.text[:300]
        assert response.headers["content-type"].startswith(PROBLEM)
    _nothing_made(api, org)
    _still_up(api, org)


def test_bodies_that_are_not_utf8_or_not_storable_text_are_client_errors(
    api: Api, org: Org
) -> None:
    json_bodies = [
        b'{"last_name": "' + MARKER.encode() + b'\xff\xfe"}',
        b'{"last_name": "' + MARKER.encode() + b'\xc3\x28"}',  # a broken sequence
        b"\xef\xbb\xbf\xff",
        ('{"last_name": "' + MARKER + '\\ud800"}').encode(),  # a lone surrogate
        ('{"last_name": "' + MARKER + '\\u0000"}').encode(),  # NUL: PostgreSQL refuses it
        ('{"last_name": "' + MARKER + '", "custom_fields": {"k": "\\u0000"}}').encode(),
        ('{"last_name": "' + MARKER + '", "tags": ["\\udfff"]}').encode(),
    ]
    for body in json_bodies:
        response = _post(api, org, "/api/v1/leads", body, "application/json")
        assert 400 <= response.status_code < 500, f"{body[:40]!r}: {response.text[:300]}"
        assert response.headers["content-type"].startswith(PROBLEM)
    login = api.http.post("/api/v1/auth/token", content=b'{"tenant": "\xff"}')
    assert 400 <= login.status_code < 500, login.text
    for csv in [
        b"last_name,company\n" + MARKER.encode() + b"\xff,Acme\n",
        b"last_name,company\n" + MARKER.encode() + b"\x00,Acme\n",
    ]:
        response = _post(api, org, "/api/v1/leads/import", csv, "text/csv")
        assert 400 <= response.status_code < 500, f"{csv!r}: {response.text[:300]}"
    _nothing_made(api, org)
    _still_up(api, org)


def _json_body_operations(spec: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """(method, path) of every operation whose body is a JSON object."""
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            content = operation.get("requestBody", {}).get("content", {})
            schema = content.get("application/json", {}).get("schema", {})
            ref = schema.get("$ref") or next(
                (v["$ref"] for v in schema.get("anyOf", []) if "$ref" in v), None
            )
            if ref is not None:
                name = ref.rsplit("/", 1)[-1]
                if spec["components"]["schemas"][name].get("type") == "object":
                    yield method.upper(), path


def test_unknown_fields_are_refused_naming_the_field(api: Api, org: Org, admins: AdminPool) -> None:
    spec = api.http.get("/openapi.json").json()
    operations = list(_json_body_operations(spec))
    assert len(operations) > 50  # the whole API
    failures = []
    for method, path in operations:
        url = path.replace("{id}", str(uuid.uuid4()))
        headers = {**admins.headers(), "X-Platform-Token": api.platform_token}
        response = api.http.request(method, url, json={UNKNOWN: 1}, headers=headers)
        named = response.status_code == 422 and UNKNOWN in {
            e["field"] for e in response.json().get("errors", [])
        }
        if not named:
            failures.append((method, path, response.status_code, response.text[:200]))
    assert failures == [], "\n".join(map(repr, failures))
    nested = {"name": MARKER, "stages": [{"name": "Open", UNKNOWN: 1}]}
    response = api.request("POST", "/api/v1/pipelines", org.tenant.admin, json=nested)
    assert response.status_code == 422
    assert f"stages.0.{UNKNOWN}" in {e["field"] for e in response.json()["errors"]}
