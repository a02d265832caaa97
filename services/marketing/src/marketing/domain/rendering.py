"""E-mail templates: Jinja2 in a sandbox (templates are tenant input), HTML
autoescaped, with merge fields and per-language variants."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from html import escape
from typing import Any

from jinja2 import StrictUndefined, TemplateError, Undefined
from jinja2.sandbox import ImmutableSandboxedEnvironment

from crm_common.errors import FieldViolation, InvalidArgument

MERGE_FIELDS = (
    "first_name", "last_name", "full_name", "email", "company", "title",
    "campaign_name", "unsubscribe_url",
)  # fmt: skip
MAX_SUBJECT = 300
MAX_BODY = 200_000
LANGUAGE = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})?$")
HREF = re.compile(r"""href=(["'])(https?://[^"'\s<>]+)\1""", re.IGNORECASE)

_html = ImmutableSandboxedEnvironment(autoescape=True, undefined=Undefined)
_text = ImmutableSandboxedEnvironment(autoescape=False, undefined=Undefined)
_strict = ImmutableSandboxedEnvironment(autoescape=True, undefined=StrictUndefined)


@dataclass(frozen=True)
class Variant:
    language: str
    subject: str
    html_body: str
    text_body: str


@dataclass(frozen=True)
class Rendered:
    language: str
    subject: str
    html_body: str
    text_body: str


def _check_syntax(source: str, name: str, found: list[FieldViolation]) -> None:
    try:
        _strict.parse(source)
    except TemplateError as exc:
        found.append(FieldViolation(name, f"template error: {str(exc)[:200]}"))


def validate(default_language: str, variants: Sequence[Variant]) -> None:
    found: list[FieldViolation] = []
    if not LANGUAGE.match(default_language or ""):
        found.append(FieldViolation("default_language", "must be a language code such as en"))
    if not variants:
        found.append(FieldViolation("variants", "at least one variant"))
    seen: set[str] = set()
    for i, v in enumerate(variants):
        where = f"variants[{i}]"
        if not LANGUAGE.match(v.language or ""):
            found.append(FieldViolation(f"{where}.language", "must be a language code"))
        elif v.language.lower() in seen:
            found.append(FieldViolation(f"{where}.language", "appears twice"))
        seen.add(v.language.lower())
        if not v.subject.strip() or len(v.subject) > MAX_SUBJECT or "\n" in v.subject:
            found.append(
                FieldViolation(f"{where}.subject", f"1..{MAX_SUBJECT} characters, one line")
            )
        if not (v.html_body or v.text_body):
            found.append(FieldViolation(f"{where}.html_body", "html_body or text_body is required"))
        if len(v.html_body) + len(v.text_body) > MAX_BODY:
            found.append(FieldViolation(f"{where}.html_body", "too large"))
        for part in ("subject", "html_body", "text_body"):
            _check_syntax(getattr(v, part), f"{where}.{part}", found)
    if variants and not any(
        v.language.lower() == (default_language or "").lower() for v in variants
    ):
        found.append(FieldViolation("default_language", "needs a variant in that language"))
    if found:
        raise InvalidArgument("; ".join(f"{f.field}: {f.message}" for f in found), found)


def choose(variants: Sequence[Variant], language: str, default_language: str) -> Variant:
    """The recipient's language, else its base language (pt for pt-BR), else the
    template's default, else the first variant."""
    by = {v.language.lower(): v for v in variants}
    wanted = (language or "").strip().lower()
    for key in (wanted, wanted.split("-")[0], default_language.lower()):
        if key and key in by:
            return by[key]
    return variants[0]


def render(
    variant: Variant,
    fields: Mapping[str, Any],
    link: Callable[[str], str] | None = None,
    pixel_url: str = "",
) -> Rendered:
    """Fill the merge fields; ``link`` rewrites each http(s) href (click
    tracking) and ``pixel_url`` adds an open-tracking image."""
    values = {name: fields.get(name, "") for name in MERGE_FIELDS}
    subject = " ".join(_text.from_string(variant.subject).render(values).split())
    html = _html.from_string(variant.html_body).render(values) if variant.html_body else ""
    text = _text.from_string(variant.text_body).render(values) if variant.text_body else ""
    if html and link is not None:
        keep = str(values.get("unsubscribe_url", ""))
        html = HREF.sub(lambda m: _tracked(m, link, keep), html)
    if html and pixel_url:
        html += f'<img src="{escape(pixel_url)}" width="1" height="1" alt="" style="display:none">'
    return Rendered(variant.language, subject[:MAX_SUBJECT], html, text)


def _tracked(match: re.Match[str], link: Callable[[str], str], keep: str) -> str:
    url = _unescape(match.group(2))
    if keep and url == keep:  # the unsubscribe link is not a tracked click
        return match.group(0)
    return f'href="{escape(link(url))}"'


def _unescape(url: str) -> str:
    return url.replace("&amp;", "&")
