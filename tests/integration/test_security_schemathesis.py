"""Property-based contract tests of the gateway's published OpenAPI (Schemathesis):
for every operation, generated valid and invalid requests, authenticated as a
tenant administrator and then as a sales rep, never get a 5xx, and every answer
has a documented status, content type and a body matching its schema.

Bounded: a fixed number of examples per operation, derandomized (the same cases
every run), no example database and no shrinking, so a run is repeatable and
takes about a minute. Each operation is a subtest: one failing operation does not
hide the others. (Schemathesis' own pytest integration does not run on pytest 9
yet, so the cases are drawn with Hypothesis directly from its strategies.)"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.integration.access_org import Org, build_org
from tests.integration.api import Api
from tests.integration.conftest import Stack
from tests.integration.security_inputs import AdminPool

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
ADMIN_EXAMPLES = 10
REP_EXAMPLES = 3
# Operations that would take away the run's own ability to continue.
EXCLUDED = {
    ("POST", "/api/v1/auth/logout"),  # revokes the very session the run calls with
    ("POST", "/api/v1/platform/signing-keys/rotate"),  # swaps the keys every token needs
    # An SSE stream answers for as long as the client stays (test_notifications.py reads it).
    ("GET", "/api/v1/notifications/stream"),
    ("PUT", "/api/v1/usage/limits"),  # a daily limit of 1 answers 429 until midnight
}


@pytest.fixture(scope="module")
def operations(stack: Stack) -> list[Any]:
    """The operations the running gateway publishes, minus ``EXCLUDED``."""
    config = schemathesis.Config.from_dict(
        {"request-timeout": 30, "generation": {"with-security-parameters": False}}
    )
    schema = schemathesis.openapi.from_url(f"{stack.gateway_url}/openapi.json", config=config)
    found = [result.ok() for result in schema.get_all_operations()]
    return [op for op in found if (op.method.upper(), op.path) not in EXCLUDED]


@pytest.fixture(scope="module")
def fuzz_org(api: Api) -> Org:
    """A tenant of its own: the run creates and changes records at random."""
    return build_org(api)


def _fuzz(
    operations: list[Any],
    subtests: pytest.Subtests,
    headers: Callable[[], dict[str, str]],
    max_examples: int,
) -> None:
    assert len(operations) > 100  # the whole API, not an empty or partial schema
    for operation in operations:
        with subtests.test(msg=operation.label):
            _fuzz_operation(operation, headers, max_examples)


def _fuzz_operation(
    operation: Any, headers: Callable[[], dict[str, str]], max_examples: int
) -> None:
    cases = st.one_of(
        operation.as_strategy(GenerationMode.POSITIVE),
        operation.as_strategy(GenerationMode.NEGATIVE),
    )

    @settings(
        max_examples=max_examples,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(cases)
    def run(case: Any) -> None:
        case.call_and_validate(headers=headers(), checks=CHECKS)

    run()


def test_every_operation_as_an_administrator(
    operations: list[Any], fuzz_org: Org, subtests: pytest.Subtests
) -> None:
    admins = AdminPool(fuzz_org, size=3)
    _fuzz(operations, subtests, admins.headers, ADMIN_EXAMPLES)


def test_every_operation_as_a_sales_rep(
    operations: list[Any], fuzz_org: Org, subtests: pytest.Subtests
) -> None:
    rep = fuzz_org.sessions["rep"]
    _fuzz(operations, subtests, lambda: rep.headers, REP_EXAMPLES)
