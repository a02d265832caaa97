"""Template selection by type and language, the language fallback, every
language's words for every known type, escaping, and right-to-left Persian."""

from __future__ import annotations

import jinja2
import pytest

from notifications.domain import preferences
from notifications.domain.templates import (
    LANGUAGES,
    TEMPLATES,
    MailItem,
    Renderer,
    build_environment,
    language_of,
    template_name,
)

AVAILABLE = [
    "notification.html.j2",
    "notification.txt.j2",
    "sla_breached.html.j2",
    "fa/notification.html.j2",
    "fa/mention.html.j2",
]


@pytest.mark.parametrize(
    ("kind", "language", "fmt", "expected"),
    [
        ("mention", "fa", "html", "fa/mention.html.j2"),  # language and type
        ("sla_breached", "fa", "html", "sla_breached.html.j2"),  # type in any language
        ("assigned", "fa", "html", "fa/notification.html.j2"),  # the language's generic
        ("assigned", "nl", "html", "notification.html.j2"),  # the generic one
        ("mention", "fa", "txt", "notification.txt.j2"),
    ],
)
def test_template_selection_order(kind: str, language: str, fmt: str, expected: str) -> None:
    assert template_name(kind, language, fmt, AVAILABLE) == expected


def test_no_template_at_all_is_an_error() -> None:
    with pytest.raises(LookupError):
        template_name("assigned", "en", "html", [])


@pytest.mark.parametrize(
    ("tag", "language"),
    [("fa", "fa"), ("fa-IR", "fa"), ("pt-BR", "en"), ("JA", "ja"), ("id_ID", "id"), ("", "en")],
)
def test_language_from_the_users_tag(tag: str, language: str) -> None:
    assert language_of(tag) == language


def test_every_language_names_every_known_type_in_its_own_words() -> None:
    renderer = Renderer()
    english = {t: renderer.headline("en", t) for t in preferences.BASE_TYPES}
    for language in LANGUAGES:
        assert (TEMPLATES / language / "strings.j2").is_file()
        for notification_type in preferences.BASE_TYPES:
            headline = renderer.headline(language, notification_type)
            assert headline and headline != renderer.headline(language, "unknown-type")
            if language != "en":
                assert headline != english[notification_type]


def test_a_notification_in_dutch_html_and_text() -> None:
    item = MailItem("assigned", "A lead was assigned to you", "Lead ACME")
    mail = Renderer().notification(item, "nl-NL", "Anne")
    assert mail.subject == "Er is een record aan je toegewezen" and mail.language == "nl"
    assert '<html lang="nl" dir="ltr">' in mail.html and "Hallo Anne," in mail.text
    assert "Lead ACME" in mail.text and "text-align: left" in mail.html


def test_persian_renders_right_to_left() -> None:
    mail = Renderer().notification(MailItem("mention", "Case 7"), "fa", "علی")
    assert '<html lang="fa" dir="rtl">' in mail.html
    assert "text-align: right" in mail.html and "direction: rtl" in mail.html
    assert mail.subject == "از شما نام برده شد" and "سلام علی" in mail.html


def test_html_escapes_what_it_is_given_and_text_does_not() -> None:
    item = MailItem("mention", "<script>alert(1)</script>", "a & b")
    mail = Renderer().notification(item, "en", "<b>Eve</b>")
    assert "<script>" not in mail.html and "&lt;script&gt;" in mail.html
    assert "&lt;b&gt;Eve&lt;/b&gt;" in mail.html and "a &amp; b" in mail.html
    assert "<script>alert(1)</script>" in mail.text


def test_a_type_specific_template_wins() -> None:
    urgent = Renderer().notification(MailItem("sla_breached", "Case 9"), "it", "Ada")
    plain = Renderer().notification(MailItem("sla_warning", "Case 9"), "it", "Ada")
    assert "Urgente" in urgent.html and "Urgente" not in plain.html


def test_digest_lists_every_item_with_a_count() -> None:
    items = [MailItem("assigned", "Lead 1"), MailItem("deal_moved", "Deal 2")]
    mail = Renderer().digest(items, "ja", "Ken")
    assert mail.subject == "本日のダイジェスト：2 件の通知"  # noqa: RUF001 - Japanese punctuation
    assert "Lead 1" in mail.html and "Deal 2" in mail.text and 'lang="ja"' in mail.html


def test_a_language_override_is_used_through_the_loader() -> None:
    loader = jinja2.ChoiceLoader(
        [
            jinja2.DictLoader({"fa/mention.html.j2": "ویژه {{ item.title }}"}),
            jinja2.FileSystemLoader(str(TEMPLATES)),
        ]
    )
    renderer = Renderer(build_environment(loader))
    assert renderer.notification(MailItem("mention", "x"), "fa", "n").html == "ویژه x"
