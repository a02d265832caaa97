"""The knowledge base end to end through the gateway (real processes): search
ranks a title match first; a draft is invisible to read-only callers until
published; another tenant's articles never show; categories; ETag/If-Match
and Idempotency-Key; validation as 422 naming the field; links to cases."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.integration.access_org import Org, build_org
from tests.integration.api import Api


@pytest.fixture(scope="module")
def org(api: Api) -> Iterator[Org]:
    yield build_org(api)


def _as(org: Org, who: str, method: str, path: str, **kw: Any) -> httpx.Response:
    headers = {**org.headers(who), **kw.pop("headers", {})}
    return org.api.http.request(method, path, headers=headers, **kw)


def _ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json() if response.content else None


def _fields(response: httpx.Response) -> set[str]:
    assert response.status_code == 422, response.text
    return {e["field"] for e in response.json().get("errors", [])}


def _article(org: Org, title: str, body: str = "", **values: Any) -> dict[str, Any]:
    payload = {"title": title, "body": body, **values}
    return _ok(_as(org, "admin", "POST", "/api/v1/faqs", json=payload), 201)


def _titles(org: Org, who: str, query: str) -> list[str]:
    return [a["title"] for a in _ok(_as(org, who, "GET", f"/api/v1/faqs?{query}"))["items"]]


def test_search_ranks_a_title_match_first(org: Org) -> None:
    word = f"modem{uuid.uuid4().hex[:6]}"
    _article(org, "Connection drops", f"Unplug the {word} for ten seconds.", status="published")
    _article(org, f"Set up your {word}", "Plug it in.", status="published")
    _article(org, "Unrelated", "Nothing to see.", status="published")
    page = _ok(_as(org, "admin", "GET", "/api/v1/faqs", params={"q": word}))
    assert [a["title"] for a in page["items"]] == [f"Set up your {word}", "Connection drops"]
    ranks = [a["rank"] for a in page["items"]]
    assert ranks[0] > ranks[1] > 0
    # Readers search too; websearch syntax: a phrase, a negation.
    assert _titles(org, "read_only", f"q=%22unplug+the+{word}%22") == ["Connection drops"]
    assert _titles(org, "api_key", f"q={word}+-setup+-set") == ["Connection drops"]
    listed = _ok(_as(org, "admin", "GET", "/api/v1/faqs", params={"limit": 1}))
    assert listed["items"][0]["rank"] is None and listed["next_cursor"]


def test_a_draft_is_invisible_to_read_only_until_published(org: Org) -> None:
    word = f"draft{uuid.uuid4().hex[:6]}"
    made = _article(org, f"How to {word}", "Work in progress.")
    assert (made["status"], made["published_at"]) == ("draft", None)
    path = f"/api/v1/faqs/{made['id']}"
    for who in ("read_only", "api_key"):
        assert _as(org, who, "GET", path).status_code == 404
        assert _titles(org, who, f"q={word}") == []
        assert _titles(org, who, "status=draft") == []
    assert _titles(org, "admin", f"q={word}") == [f"How to {word}"]
    assert _as(org, "read_only", "POST", f"{path}/publish").status_code == 403
    assert _as(org, "rep", "GET", path).status_code == 403  # Sales profiles: no knowledge base
    published = _ok(_as(org, "admin", "POST", f"{path}/publish", headers={"If-Match": '"1"'}))
    assert (published["status"], published["version"]) == ("published", 2)
    assert published["published_at"]
    seen = _as(org, "read_only", "GET", path)
    assert seen.status_code == 200 and seen.headers["ETag"] == '"2"'
    assert _titles(org, "read_only", f"q={word}") == [f"How to {word}"]
    _ok(_as(org, "admin", "POST", f"{path}/unpublish"))
    assert _as(org, "read_only", "GET", path).status_code == 404
    assert _as(org, "admin", "POST", f"{path}/unpublish").status_code == 409


def test_another_tenants_articles_never_show(org: Org) -> None:
    word = f"secret{uuid.uuid4().hex[:6]}"
    made = _article(org, f"Our {word}", "Internal.", status="published")
    path = f"/api/v1/faqs/{made['id']}"
    assert _titles(org, "other_tenant", f"q={word}") == []
    assert word not in str(_ok(_as(org, "other_tenant", "GET", "/api/v1/faqs?limit=200")))
    assert _as(org, "other_tenant", "GET", path).status_code == 404
    assert _as(org, "other_tenant", "PATCH", path, json={"title": "mine"}).status_code == 404
    assert _as(org, "other_tenant", "POST", f"{path}/unpublish").status_code == 404
    assert _as(org, "other_tenant", "DELETE", path).status_code == 404
    theirs = _ok(
        _as(org, "other_tenant", "POST", "/api/v1/faqs/categories", json={"name": word}), 201
    )
    assert _as(org, "admin", "GET", f"/api/v1/faqs/categories/{theirs['id']}").status_code == 404
    bad = {"title": "x", "category_id": theirs["id"]}
    assert _fields(_as(org, "admin", "POST", "/api/v1/faqs", json=bad)) == {"category_id"}


def test_versions_idempotency_and_delete(org: Org) -> None:
    key = {"Idempotency-Key": uuid.uuid4().hex}
    body = {"title": "Idempotent", "tags": ["Billing", "billing", "VAT"], "language": "nl-nl"}
    first = _as(org, "admin", "POST", "/api/v1/faqs", json=body, headers=key)
    again = _as(org, "admin", "POST", "/api/v1/faqs", json=body, headers=key)
    made = _ok(first, 201)
    assert _ok(again, 201)["id"] == made["id"]
    assert (made["tags"], made["language"], first.headers["ETag"]) == (
        ["billing", "vat"],
        "nl-NL",
        '"1"',
    )
    assert first.headers["Location"].endswith(f"/api/v1/faqs/{made['id']}")
    path = f"/api/v1/faqs/{made['id']}"
    changed = _as(
        org, "admin", "PATCH", path, json={"body": "# Heading"}, headers={"If-Match": '"1"'}
    )
    assert _ok(changed)["version"] == 2 and changed.headers["ETag"] == '"2"'
    stale = _as(org, "admin", "PATCH", path, json={"title": "late"}, headers={"If-Match": '"1"'})
    assert stale.status_code == 409
    assert _as(org, "admin", "DELETE", path, headers={"If-Match": '"1"'}).status_code == 409
    assert _as(org, "read_only", "DELETE", path).status_code == 403
    assert _as(org, "admin", "DELETE", path, headers={"If-Match": '"2"'}).status_code == 204
    assert _as(org, "admin", "GET", path).status_code == 404


def test_categories(org: Org) -> None:
    name = f"Billing {uuid.uuid4().hex[:6]}"
    made = _ok(_as(org, "admin", "POST", "/api/v1/faqs/categories", json={"name": name}), 201)
    clash = _as(org, "admin", "POST", "/api/v1/faqs/categories", json={"name": name.upper()})
    assert clash.status_code == 409
    listed = _ok(_as(org, "read_only", "GET", "/api/v1/faqs/categories?limit=200"))
    assert name in [c["name"] for c in listed["items"]]
    in_it = _article(org, "Invoices explained", category_id=made["id"], status="published")
    query = f"category_id={made['id']}"
    assert _titles(org, "read_only", query) == ["Invoices explained"]
    path = f"/api/v1/faqs/categories/{made['id']}"
    assert _as(org, "admin", "DELETE", path).status_code == 409  # not empty
    moved = _as(org, "admin", "PATCH", f"/api/v1/faqs/{in_it['id']}", json={"category_id": ""})
    assert _ok(moved)["category_id"] is None
    renamed = _ok(_as(org, "admin", "PATCH", path, json={"position": 3, "description": "Money"}))
    assert (renamed["position"], renamed["version"]) == (3, 2)
    assert _as(org, "admin", "DELETE", path).status_code == 204


def test_bad_input_is_422_naming_the_field(org: Org) -> None:
    post = "/api/v1/faqs"
    assert "language" in str(
        _fields(_as(org, "admin", "POST", post, json={"title": "x", "language": "english!"}))
    )
    assert _fields(_as(org, "admin", "POST", post, json={"title": "x", "tags": ["a"] * 21}))
    assert _fields(_as(org, "admin", "POST", post, json={"title": "x", "color": "red"}))
    assert _fields(_as(org, "admin", "POST", post, json={"title": "x", "status": "live"}))
    assert "title" in str(_fields(_as(org, "admin", "POST", post, json={"title": "   "})))
    assert _fields(_as(org, "admin", "GET", post, params={"q": "x" * 201}))
    assert _fields(_as(org, "admin", "GET", post, params={"status": "gone"}))
    assert _fields(_as(org, "admin", "GET", post, params={"case_id": "nope"}))
    assert "language" in str(_fields(_as(org, "admin", "GET", post, params={"language": "e_n"})))
    assert "cursor" in str(_fields(_as(org, "admin", "GET", post, params={"cursor": "e30"})))
    nul = _as(org, "admin", "GET", post, params={"q": "a\x00b"})
    assert nul.status_code == 422
    assert _as(org, "admin", "GET", post, params={"q": "!!! & | :* ''"}).status_code == 200


def _make_case(org: Org) -> str | None:
    """A case of the admin's through the cases area's route (None while it is not there)."""
    body = {"subject": f"Broken {uuid.uuid4().hex[:6]}", "priority": "P3"}
    response = _as(org, "admin", "POST", "/api/v1/cases", json=body)
    return str(response.json()["id"]) if response.status_code == 201 else None


def test_links_to_cases(org: Org) -> None:
    case_id = _make_case(org)
    if case_id is None:
        pytest.skip("POST /api/v1/cases does not make cases yet")
    made = _article(org, f"Fix {uuid.uuid4().hex[:6]}", status="published")
    path = f"/api/v1/faqs/{made['id']}/cases"
    link = _ok(_as(org, "admin", "POST", path, json={"case_id": case_id}), 201)
    assert (link["article_id"], link["case_id"]) == (made["id"], case_id)
    _ok(_as(org, "admin", "POST", path, json={"case_id": case_id}), 200)  # linked already
    assert _titles(org, "admin", f"case_id={case_id}") == [made["title"]]
    # Read Only may view cases, but not the admin's (private default): not found.
    assert _as(org, "read_only", "GET", f"/api/v1/faqs?case_id={case_id}").status_code == 404
    assert _as(org, "other_tenant", "POST", path, json={"case_id": case_id}).status_code == 404
    assert _as(org, "admin", "POST", path, json={"case_id": str(uuid.uuid4())}).status_code == 404
    assert _as(org, "read_only", "POST", path, json={"case_id": case_id}).status_code == 403
    assert _as(org, "admin", "DELETE", f"{path}/{case_id}").status_code == 204
    assert _as(org, "admin", "DELETE", f"{path}/{case_id}").status_code == 404
    assert _titles(org, "admin", f"case_id={case_id}") == []
