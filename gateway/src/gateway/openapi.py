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
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
