"""OpenAPI: errors documented as ``application/problem+json`` with one shared
``Problem`` schema, so contract tests treat every documented 4xx as expected."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from gateway.problem import PROBLEM_MEDIA_TYPE
from gateway.schemas.problem import Problem

PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}
# Answers any API route may give, whatever it does.
COMMON_ERRORS = (429, 500, 503, 504)
# A body that is not UTF-8 (or too deeply nested) cannot be read at all: 400.
UNREADABLE_BODY = 400


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """``responses=`` for a route: each status answered with a Problem document."""
    return {
        status: {
            "description": HTTPStatus(status).phrase,
            "content": {PROBLEM_MEDIA_TYPE: {"schema": PROBLEM_REF}},
        }
        for status in (*statuses, *COMMON_ERRORS)
    }


def install_openapi(app: FastAPI) -> None:
    """Generates the schema once, adding the Problem component the responses refer to."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(
                title=app.title,
                version=app.version,
                description=app.description,
                routes=app.routes,
            )
            components = schema.setdefault("components", {}).setdefault("schemas", {})
            components["Problem"] = Problem.model_json_schema(
                ref_template="#/components/schemas/{model}"
            )
            components.update(components["Problem"].pop("$defs", {}))
            _document_unreadable_bodies(schema)
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def _document_unreadable_bodies(schema: dict[str, Any]) -> None:
    """Every operation that takes a body may answer 400 for one it cannot decode."""
    unreadable = problem_responses(UNREADABLE_BODY)[UNREADABLE_BODY]
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            if "requestBody" in operation:
                operation.setdefault("responses", {}).setdefault(str(UNREADABLE_BODY), unreadable)
