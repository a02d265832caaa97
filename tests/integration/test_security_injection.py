"""Hostile query parameters on every list, search and export endpoint the gateway
publishes (taken from its OpenAPI, so a new endpoint is covered without edits):
SQL and LIKE metacharacters, NUL bytes, unicode and very long values never cause a
5xx or show another tenant's rows; search treats % and _ literally; sort values
outside the allowed set and page sizes past the maximum are 422."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from tests.integration.access_org import Org, build_org
from tests.integration.api import Api, Session
from tests.integration.security_inputs import (
    BAD_SORTS,
    HUGE_LIMITS,
    PAGE_LIMIT_MAX,
    TEXT_PAYLOADS,
    TYPED_PAYLOADS,
    AdminPool,
    QueryParam,
    is_free_text,
    list_query_params,
)

OTHER_MARKER = f"Othertenant{uuid.uuid4().hex[:8]}"
TAG = uuid.uuid4().hex[:8]
# Resources with a ``q`` search, and how to make one named ``name``.
SEARCHABLE: dict[str, Callable[[str], dict[str, Any]]] = {
    "leads": lambda name: {"last_name": name, "company": name},
    "accounts": lambda name: {"name": name},
    "deals": lambda name: {"name": name, "currency": "EUR"},
    "products": lambda name: {
        "sku": f"S-{uuid.uuid4().hex[:12]}",
        "name": name,
        "unit_price": "1.00",
        "currency": "EUR",
    },
    "vendors": lambda name: {"name": name, "currency": "EUR"},
}


@pytest.fixture(scope="module")
def org(api: Api) -> Org:
    org = build_org(api)
    for resource, body in SEARCHABLE.items():
        made = api.request("POST", f"/api/v1/{resource}", org.other.admin, json=body(OTHER_MARKER))
        assert made.status_code == 201, made.text
        # A record of this tenant for reads with options (/accounts/{id}/overview).
        target = body(f"Target{uuid.uuid4().hex[:8]}")
        org.ids[resource] = _create(api, org.tenant.admin, resource, target)
    return org


@pytest.fixture(scope="module")
def spec(api: Api) -> dict[str, Any]:
    answer = api.http.get("/openapi.json")
    assert answer.status_code == 200
    return dict(answer.json())


@pytest.fixture(scope="module")
def admins(org: Org) -> AdminPool:
    return AdminPool(org, size=3)


def _required(spec: dict[str, Any], path: str) -> dict[str, str]:
    """Valid values for the required query parameters of ``GET path``."""
    params = spec["paths"][path]["get"].get("parameters", [])
    values = {}
    for p in params:
        if p["in"] == "query" and p.get("required"):
            schema = p["schema"]
            values[p["name"]] = (schema.get("examples") or schema.get("enum"))[0]
    return values


def _get(api: Api, admins: AdminPool, path: str, params: dict[str, str]) -> httpx.Response:
    return api.http.get(path, params=params, headers=admins.headers())


def _url(org: Org, path: str) -> str:
    """``path`` with ``{id}`` naming a record of the tenant (a random id for others)."""
    resource = path.split("/")[3]
    return path.replace("{id}", org.ids.get(resource, str(uuid.uuid4())))


def _leaks(org: Org, response: httpx.Response) -> bool:
    return OTHER_MARKER in response.text or org.other.id in response.text


def test_hostile_filter_values_never_fail_nor_leak(
    api: Api, org: Org, spec: dict[str, Any], admins: AdminPool
) -> None:
    params = list_query_params(spec)
    assert len({p.path for p in params}) > 30  # the whole API, not a partial schema
    failures = []
    for param in params:
        # Cursors are opaque and decoded by one shared codec: the short list will do.
        free = is_free_text(param.schema) and param.name != "cursor"
        payloads = TEXT_PAYLOADS if free else TYPED_PAYLOADS
        for payload in payloads:
            query = {**_required(spec, param.path), param.name: payload}
            response = _get(api, admins, _url(org, param.path), query)
            if response.status_code >= 500 or _leaks(org, response):
                failures.append((param.path, param.name, payload[:20], response.status_code))
    assert failures == [], "\n".join(map(repr, failures))


def _ids(response: httpx.Response) -> set[str]:
    assert response.status_code == 200, response.text
    return {item["id"] for item in response.json()["items"]}


def test_search_treats_like_wildcards_literally(api: Api, org: Org) -> None:
    admin = org.tenant.admin
    for resource, body in SEARCHABLE.items():
        made = {}
        for kind, name in [
            ("plain", f"Plain{TAG}"),
            ("percent", f"Percent{TAG} 100%"),
            ("underscore", f"Under{TAG} a_b"),
        ]:
            made[kind] = _create(api, admin, resource, body(name))

        def search(q: str, path: str = f"/api/v1/{resource}") -> set[str]:
            return _ids(api.request("GET", path, admin, params={"q": q, "limit": 200}))

        assert made["plain"] in search(f"Plain{TAG}"), resource  # search does work
        percent, underscore = search("%"), search("_")
        assert made["percent"] in percent and made["plain"] not in percent, resource
        assert made["underscore"] in underscore, resource
        assert not {made["plain"], made["percent"]} & underscore, resource
        assert not set(made.values()) & search("\\"), resource


def _create(api: Api, admin: Session, resource: str, body: dict[str, Any]) -> str:
    response = api.request("POST", f"/api/v1/{resource}", admin, json=body)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def _sortable(spec: dict[str, Any]) -> list[QueryParam]:
    return [p for p in list_query_params(spec) if p.name == "sort"]


def _assert_422_naming(response: httpx.Response, field: str, what: str) -> None:
    assert response.status_code == 422, f"{what}: {response.status_code} {response.text}"
    assert response.headers["content-type"].startswith("application/problem+json")
    assert field in {e["field"] for e in response.json()["errors"]}, what


def test_sort_values_outside_the_allowed_set_are_refused(
    api: Api, spec: dict[str, Any], admins: AdminPool
) -> None:
    sortable = _sortable(spec)
    assert {"/api/v1/leads", "/api/v1/deals", "/api/v1/activities"} <= {p.path for p in sortable}
    for param in sortable:
        for value in BAD_SORTS:
            response = _get(api, admins, param.path, {"sort": value})
            _assert_422_naming(response, "sort", f"{param.path}?sort={value}")


def test_page_sizes_past_the_maximum_are_refused(
    api: Api, org: Org, spec: dict[str, Any], admins: AdminPool
) -> None:
    paged = [p for p in list_query_params(spec) if p.name == "limit"]
    assert len(paged) > 20
    for param in paged:
        for value in HUGE_LIMITS:
            query = {**_required(spec, param.path), "limit": value}
            response = _get(api, admins, _url(org, param.path), query)
            if response.status_code == 200:  # capped instead of refused
                assert len(response.json()["items"]) <= PAGE_LIMIT_MAX
            else:
                _assert_422_naming(response, "limit", f"{param.path}?limit={value}")
