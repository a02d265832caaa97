"""Optimistic concurrency over HTTP: a user's ``version`` is its ETag."""

from __future__ import annotations

from crm_common.errors import FieldViolation
from gateway.problem import ProblemError
from gateway.schemas.wire import INT32_MAX


def etag(version: int) -> str:
    return f'"{version}"'


def expected_version(if_match: str | None, body_version: int | None) -> int:
    """The version the client last saw: If-Match wins over the body; 0 = no check."""
    if if_match is None:
        return body_version or 0
    value = if_match.strip()
    if value == "*":
        return 0
    value = value.removeprefix("W/").strip('"')
    if not value.isdigit() or not 1 <= int(value) <= INT32_MAX:  # versions travel as int32
        raise ProblemError(
            422,
            'If-Match must be a version ETag such as "3"',
            errors=[FieldViolation("If-Match", "must be a version ETag")],
        )
    return int(value)
