"""E-mails rendered from Jinja2 templates (``notifications/templates``), chosen by
notification type and the user's language.

- Language: the user's identity language, reduced to its primary subtag
  ("pt-BR" -> "pt"); one of ``LANGUAGES`` or English. Persian (and any language
  in ``RIGHT_TO_LEFT``) renders ``<html lang="fa" dir="rtl">`` aligned right.
- Template: the first that exists of ``<lang>/<type>.<fmt>.j2``,
  ``<type>.<fmt>.j2``, ``<lang>/notification.<fmt>.j2``, ``notification.<fmt>.j2``
  (``fmt`` is ``html`` or ``txt``; digests use ``digest`` in place of the type).
- Words: each language's ``<lang>/strings.j2`` (headline per type, greeting...).
- HTML autoescapes everything it is given (titles, names, bodies); text does not.

Rendering reads package files only (no network, no database).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
LANGUAGES = ("en", "nl", "it", "id", "ja", "fa")
FALLBACK = "en"
RIGHT_TO_LEFT = frozenset({"fa", "ar", "he", "ur"})
FORMATS = ("html", "txt")


@dataclass(frozen=True)
class MailItem:
    """One notification as a mail shows it."""

    type: str
    title: str
    body: str = ""
    record_type: str = ""
    record_id: str = ""
    created_at: str = ""  # ISO 8601, UTC


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    text: str
    html: str
    language: str


def language_of(tag: str) -> str:
    primary = (tag or "").strip().replace("_", "-").split("-")[0].lower()
    return primary if primary in LANGUAGES else FALLBACK


def template_name(kind: str, language: str, fmt: str, available: Iterable[str]) -> str:
    """The template for ``kind`` (a notification type, or "digest") in ``language``."""
    names = set(available)
    for candidate in (
        f"{language}/{kind}.{fmt}.j2",
        f"{kind}.{fmt}.j2",
        f"{language}/notification.{fmt}.j2",
        f"notification.{fmt}.j2",
    ):
        if candidate in names:
            return candidate
    raise LookupError(f"no {fmt} template for {kind} in {language}")


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    return build_environment(jinja2.FileSystemLoader(str(TEMPLATES)))


def build_environment(loader: jinja2.BaseLoader) -> jinja2.Environment:
    return jinja2.Environment(
        loader=loader,
        autoescape=jinja2.select_autoescape(enabled_extensions=("html.j2",), default=False),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


class Renderer:
    def __init__(self, env: jinja2.Environment | None = None) -> None:
        self._env = env or environment()
        self._names = tuple(self._env.list_templates())

    def strings(self, language: str) -> Any:
        return self._env.get_template(f"{language}/strings.j2").module

    def _render(self, kind: str, language: str, context: dict[str, Any]) -> tuple[str, str]:
        out = []
        for fmt in FORMATS:
            name = template_name(kind, language, fmt, self._names)
            out.append(self._env.get_template(name).render(**context))
        return out[0], out[1]

    def _context(self, language: str, name: str, subject: str) -> dict[str, Any]:
        rtl = language in RIGHT_TO_LEFT
        return {
            "lang": language,
            "dir": "rtl" if rtl else "ltr",
            "align": "right" if rtl else "left",
            "s": self.strings(language),
            "name": name,
            "subject": subject,
        }

    def headline(self, language: str, notification_type: str) -> str:
        s = self.strings(language)
        return str(s.types.get(notification_type) or s.other)

    def notification(self, item: MailItem, language_tag: str, name: str) -> RenderedEmail:
        language = language_of(language_tag)
        subject = self.headline(language, item.type)
        context = self._context(language, name, subject) | {"item": item, "headline": subject}
        html, text = self._render(item.type, language, context)
        return RenderedEmail(subject, text, html, language)

    def digest(self, items: Sequence[MailItem], language_tag: str, name: str) -> RenderedEmail:
        language = language_of(language_tag)
        s = self.strings(language)
        subject = str(s.digest_subject).replace("{count}", str(len(items)))
        entries = [(self.headline(language, i.type), i) for i in items]
        context = self._context(language, name, subject) | {"entries": entries}
        html, text = self._render("digest", language, context)
        return RenderedEmail(subject, text, html, language)
