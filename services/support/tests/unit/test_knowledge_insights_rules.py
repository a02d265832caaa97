"""Knowledge base and insights rules without a database: language tags, tags,
status moves, search text, cursors, the insights window and figures, and the
SQL the queries are built as."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from crm_common.access import AccessContext
from crm_common.errors import FailedPrecondition, InvalidArgument
from crm_common.pagination import encode_cursor
from support.adapters.insights_queries import visible_cases
from support.adapters.knowledge_repository import BEST, NEWEST, _after, rank_of, search_query
from support.domain import knowledge as rules
from support.domain.insights import Compliance, parse_window

NOW = datetime(2026, 6, 15, 12, tzinfo=UTC)


def sql(clause: sa.ClauseElement) -> str:
    return str(clause.compile(dialect=postgresql.dialect()))


@pytest.mark.parametrize(
    ("given", "normal"),
    [("en", "en"), ("NL", "nl"), ("pt-br", "pt-BR"), ("zh-hant-tw", "zh-Hant-TW"),
     ("es-419", "es-419"), (" de-CH-1996 ", "de-CH-1996")],
)  # fmt: skip
def test_language_tags_are_normalised(given: str, normal: str) -> None:
    assert rules.normalise_language(given) == normal


@pytest.mark.parametrize("bad", ["", "e", "english!", "en_GB", "en--GB", "1234", "x" * 36])
def test_bad_language_tags_name_the_field(bad: str) -> None:
    with pytest.raises(InvalidArgument) as caught:
        rules.normalise_language(bad)
    assert [v.field for v in caught.value.violations] == ["language"]


def test_tags_are_trimmed_lowered_deduplicated_and_bounded() -> None:
    assert rules.clean_tags([" VPN", "vpn", "Login "]) == ["vpn", "login"]
    with pytest.raises(InvalidArgument) as caught:
        rules.clean_tags(["ok", " ", "x" * 51])
    assert [v.field for v in caught.value.violations] == ["tags[1]", "tags[2]"]
    with pytest.raises(InvalidArgument) as caught:
        rules.clean_tags([f"t{i}" for i in range(21)])
    assert [v.field for v in caught.value.violations] == ["tags"]


def test_article_values_name_every_bad_field() -> None:
    with pytest.raises(InvalidArgument) as caught:
        rules.validate_article({"title": "", "body": "x\x00", "status": "gone"}, {"title": ""})
    assert {v.field for v in caught.value.violations} == {"title", "body", "status"}
    rules.validate_article({"body": "x"}, {"title": "kept"})  # a change of the body alone


def test_status_moves_and_published_at() -> None:
    earlier = NOW - timedelta(days=3)
    assert rules.move_to("draft", None, "published", NOW) == rules.StatusChange("published", NOW)
    assert rules.move_to("published", earlier, "published", NOW).published_at == earlier
    assert rules.move_to("archived", earlier, "published", NOW).published_at == NOW
    assert rules.move_to("published", earlier, "archived", NOW) == rules.StatusChange(
        "archived", earlier
    )
    assert rules.move_to("published", earlier, "draft", NOW) == rules.StatusChange("draft", None)
    with pytest.raises(FailedPrecondition):
        rules.unpublish("draft", None, NOW)
    with pytest.raises(InvalidArgument):
        rules.move_to("draft", None, "live", NOW)


def test_search_text_and_filters() -> None:
    assert rules.clean_query("  reset password ") == "reset password"
    for bad in ("x" * 201, "a\x00b"):
        with pytest.raises(InvalidArgument) as caught:
            rules.clean_query(bad)
        assert caught.value.violations[0].field == "q"
    assert rules.clean_filter_status(" Published ") == "published"
    with pytest.raises(InvalidArgument):
        rules.clean_filter_status("deleted")


def test_search_sql_uses_websearch_simple_and_ts_rank() -> None:
    query = search_query("reset -password")
    assert sql(query).startswith("websearch_to_tsquery('simple'::regconfig, %(param_1)s")
    assert "ts_rank(faq_articles.search_vector, websearch_to_tsquery(" in sql(rank_of(query))


def test_cursors_name_their_order_and_types() -> None:
    when, ident = NOW, uuid.uuid4()
    assert _after(encode_cursor([NEWEST, when, ident]), NEWEST, (datetime, uuid.UUID)) == (
        when, ident,
    )  # fmt: skip
    assert _after(encode_cursor([BEST, 1, ident]), BEST, (float, uuid.UUID)) == (1, ident)
    bad = [
        encode_cursor([NEWEST, when, ident]),  # another order
        encode_cursor([BEST, "x", ident]),  # not a number
        encode_cursor([BEST, True, ident]),  # not a number either
        encode_cursor([BEST, 0.5]),  # too short
        "%%%",
    ]
    for cursor in bad:
        with pytest.raises(InvalidArgument) as caught:
            _after(cursor, BEST, (float, uuid.UUID))
        assert caught.value.violations[0].field == "cursor"


def test_the_window_defaults_bounds_and_names_the_field() -> None:
    window = parse_window("", "", "", NOW)
    assert (window.start, window.end, window.group_id) == (NOW - timedelta(days=30), NOW, None)
    window = parse_window("2026-01-01", "2026-01-02T00:00:00Z", "", NOW)
    assert (window.start, window.end) == (
        datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 1, 2, tzinfo=UTC),
    )  # fmt: skip
    naive = parse_window("2026-01-01T10:00", "2026-01-01T13:00+02:00", "", NOW)
    assert (naive.start, naive.end) == (
        datetime(2026, 1, 1, 10, tzinfo=UTC), datetime(2026, 1, 1, 11, tzinfo=UTC),
    )  # fmt: skip
    group = uuid.uuid4()
    assert parse_window("2025-06-15", "2026-06-15T12:00:00Z", str(group), NOW).group_id == group
    cases = {
        ("2026-02-01", "2026-01-01", ""): ["from"],
        ("2025-01-01", "2026-03-01", ""): ["to"],
        ("soon", "later", "x"): ["from", "to", "group_id"],
        ("0001-01-01T00:00:00+05:00", "", ""): ["from"],
        ("9999-12-31", "", ""): ["from"],  # after the default to (now)
        ("", "0001-01-02", ""): ["to"],  # to - 30 days is before year 1
        ("x" * 41, "", ""): ["from"],
    }
    for (start, end, group_text), fields in cases.items():
        with pytest.raises(InvalidArgument) as caught:
            parse_window(start, end, group_text, NOW)
        assert [v.field for v in caught.value.violations] == fields, (start, end, group_text)


def test_compliance_percent() -> None:
    assert Compliance(5, 2, 9).percent == 71.4
    assert Compliance(0, 0, 3).percent is None
    assert Compliance(1, 0).percent == 100.0
    assert Compliance(1, 2, 3) + Compliance(4, 5, 6) == Compliance(5, 7, 9)


def test_visibility_of_cases_follows_the_record_owner() -> None:
    tenant = str(uuid.uuid4())
    everyone = AccessContext(tenant_id=tenant, all_records=True)
    assert "IN" not in sql(visible_cases(everyone))
    own = AccessContext(tenant_id=tenant, own_ids=frozenset({str(uuid.uuid4())}))
    text = sql(visible_cases(own))
    assert "coalesce(cases.owner_id, cases.group_id, cases.created_by) IN" in text
    assert "cases.deleted_at IS NULL" in text and "cases.tenant_id =" in text
