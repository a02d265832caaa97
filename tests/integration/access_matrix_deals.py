"""Access-matrix rows for pipelines and deals (joined into the matrix by
access_rows.py). Module deals: private by default; reps may not delete; the
Read Only profile and key only view; pipelines are changed by administrators
(another tenant's administrator finds no such pipeline: 404)."""

from __future__ import annotations

from typing import Any

from tests.integration.access_matrix import Row, rename, unique
from tests.integration.access_org import Org, new_pipeline_body


def new_deal(org: Org, who: str) -> dict[str, Any]:
    return {"name": unique(who), "amount": "1200.50", "currency": "EUR"}


def new_pipeline(org: Org, who: str) -> dict[str, Any]:
    return new_pipeline_body(unique("pipeline"))


ROWS: list[Row] = [
    Row("GET", "/api/v1/pipelines", "200 200 200 200 200 200 200 401"),
    Row("POST", "/api/v1/pipelines", "201 403 403 403 403 201 403 401", body=new_pipeline),
    Row("GET", "/api/v1/pipelines/{fresh_id}", "200 200 200 200 200 404 200 401", fresh="pipeline"),
    Row(
        "PATCH",
        "/api/v1/pipelines/{fresh_id}",
        "200 403 403 403 403 404 403 401",
        body=rename,
        fresh="pipeline",
    ),
    Row("GET", "/api/v1/deals", "200 200 200 200 200 200 200 401"),
    Row("POST", "/api/v1/deals", "201 201 201 201 403 201 403 401", body=new_deal),
    Row("GET", "/api/v1/deals/board", "200 200 200 200 200 200 200 401"),
    Row("GET", "/api/v1/deals/{fresh_id}", "200 200 200 404 404 404 200 401", fresh="deal"),
    Row(
        "PATCH",
        "/api/v1/deals/{fresh_id}",
        "200 200 200 404 403 404 403 401",
        body=rename,
        fresh="deal",
    ),
    Row("DELETE", "/api/v1/deals/{fresh_id}", "204 204 403 403 403 404 403 401", fresh="deal"),
    Row(
        "PUT",
        "/api/v1/deals/{fresh_id}/contact-roles",
        "200 200 200 404 403 404 403 401",
        body=lambda org, who: {"contact_roles": []},
        fresh="deal",
    ),
    Row(
        "PUT",
        "/api/v1/deals/{fresh_id}/splits",
        "200 200 200 404 403 404 403 401",
        body=lambda org, who: {"splits": [{"user_id": org.ids["rep_id"], "percent": "100.00"}]},
        fresh="deal",
    ),
    Row(
        "POST",
        "/api/v1/deals/{fresh_id}/restore",
        "200 200 403 403 403 404 403 401",
        fresh="deleted_deal",
    ),
    Row("GET", "/api/v1/recycle-bin?module=deals", "200 200 403 403 403 200 403 401"),
]
