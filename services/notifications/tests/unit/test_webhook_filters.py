"""Event-type filters (NATS-style wildcards) and endpoint URL rules."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from crm_common.errors import InvalidArgument
from notifications.domain import webhooks as rules


@pytest.mark.parametrize(
    ("pattern", "subject", "expected"),
    [
        ("crm.sales.deal.created", "crm.sales.deal.created", True),
        ("crm.sales.deal.created", "crm.sales.deal.updated", False),
        ("crm.sales.deal.*", "crm.sales.deal.updated", True),
        ("crm.sales.deal.*", "crm.sales.deal", False),
        ("crm.sales.deal.*", "crm.sales.deal.stage.changed", False),
        ("crm.*.deal.created", "crm.sales.deal.created", True),
        ("crm.sales.>", "crm.sales.deal.created", True),
        ("crm.sales.>", "crm.sales.lead", True),
        ("crm.sales.>", "crm.sales", False),
        ("crm.>", "crm.support.case.created", True),
        ("crm.sales.deal", "crm.sales.deal.created", False),
        ("crm.support.case.created", "crm.support.case.created.extra", False),
    ],
)
def test_nats_wildcards(pattern: str, subject: str, expected: bool) -> None:
    assert rules.matches(pattern, subject) is expected


def test_wants_any_of_the_patterns() -> None:
    patterns = ["crm.sales.deal.*", "crm.support.case.created"]
    assert rules.wants(patterns, "crm.support.case.created")
    assert rules.wants(patterns, "crm.sales.deal.won")
    assert not rules.wants(patterns, "crm.sales.lead.created")


tokens = st.text(alphabet="abcdefgh_-", min_size=1, max_size=5)


@given(st.lists(tokens, min_size=1, max_size=6))
def test_a_subject_matches_itself_and_the_catch_alls(parts: list[str]) -> None:
    subject = ".".join(["crm", *parts])
    assert rules.matches(subject, subject)
    assert rules.matches("crm.>", subject)
    assert rules.matches(".".join(["crm", *["*"] * len(parts)]), subject)
    assert not rules.matches(".".join(["crm", *["*"] * (len(parts) + 1)]), subject)


@pytest.mark.parametrize("pattern", ["crm.sales.>.deal", "crm..deal", "", "crm.sa les", "crm.s*",
                                     "sales.deal.created", "crm.deal.créé", "x" * 201])  # fmt: skip
def test_bad_patterns_name_their_index(pattern: str) -> None:
    with pytest.raises(InvalidArgument) as caught:
        rules.validate_event_types(["crm.sales.>", pattern])
    assert [v.field for v in caught.value.violations] == ["event_types[1]"]


def test_event_types_are_required_bounded_and_deduplicated() -> None:
    with pytest.raises(InvalidArgument):
        rules.validate_event_types([])
    with pytest.raises(InvalidArgument):
        rules.validate_event_types([f"crm.x{i}" for i in range(51)])
    assert rules.validate_event_types(["crm.a.>", "crm.b", "crm.a.>"]) == ["crm.a.>", "crm.b"]


@pytest.mark.parametrize(
    "url",
    ["https://hooks.example.com/crm", "https://hooks.example.com:8443/x?token=abc",
     "https://93.184.216.34/hook"],
)  # fmt: skip
def test_public_https_urls_are_accepted(url: str) -> None:
    assert rules.validate_url(url, allow_private=False) == url


@pytest.mark.parametrize(
    "url",
    [
        "http://hooks.example.com/crm",  # http: only to a private target, when allowed
        "ftp://hooks.example.com/",
        "https://",
        "https://user:pw@hooks.example.com/",
        "https://127.0.0.1/hook",
        "https://localhost:8443/hook",
        "https://10.1.2.3/hook",
        "https://169.254.169.254/latest/meta-data",
        "https://[::1]/hook",
        "https://[::ffff:127.0.0.1]/hook",
        "https://0.0.0.0/hook",
        "https://hooks.example.com:99999/",
        "not a url",
        "https://hooks.example.com/" + "x" * 2048,
    ],
)
def test_other_urls_are_refused_naming_the_field(url: str) -> None:
    with pytest.raises(InvalidArgument) as caught:
        rules.validate_url(url, allow_private=False)
    assert [v.field for v in caught.value.violations] == ["url"]


def test_private_targets_and_http_to_them_only_when_allowed() -> None:
    assert rules.validate_url("http://127.0.0.1:8080/h", allow_private=True)
    assert rules.validate_url("https://localhost/h", allow_private=True)
    with pytest.raises(InvalidArgument):
        rules.validate_url("http://127.0.0.1:8080/h", allow_private=False)
    with pytest.raises(InvalidArgument):  # http to a public host: never
        rules.validate_url("http://hooks.example.com/h", allow_private=True)
