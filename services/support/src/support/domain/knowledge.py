"""Knowledge base rules, pure: articles' and categories' values, language tags,
tags, search text and the status an article may move to. Every violated field
is reported at once (422 naming each field, tags as ``tags[2]``)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from crm_common.errors import FailedPrecondition, FieldViolation, InvalidArgument

KNOWLEDGE_BASE = "knowledge_base"  # the access module
CASES = "cases"  # links name cases, which the caller must be able to see

DRAFT, PUBLISHED, ARCHIVED = "draft", "published", "archived"
STATUSES = (DRAFT, PUBLISHED, ARCHIVED)
DEFAULT_LANGUAGE = "en"

ARTICLE_FIELDS = frozenset({"title", "body", "category_id", "status", "language", "tags"})
CATEGORY_FIELDS = frozenset({"name", "description", "position"})
TITLE_MAX = 300
BODY_MAX = 200_000
CATEGORY_NAME_MAX = 120
DESCRIPTION_MAX = 2_000
TAG_MAX = 50
TAGS_MAX = 20
QUERY_MAX = 200
POSITION_MAX = 1_000_000

# BCP-47, as far as a knowledge base needs: a 2-3 letter language, then
# optional subtags (script, region, variants) of 2-8 letters or digits.
_LANGUAGE = re.compile(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*")
LANGUAGE_MAX = 35


@dataclass(frozen=True)
class ArticleFilters:
    """What a list of articles is narrowed to (parsed from the wire)."""

    q: str = ""
    status: str = ""
    category_id: Any = None  # uuid.UUID | None
    language: str = ""
    case_id: Any = None  # uuid.UUID | None
    tag: str = ""
    # Only published ones (readers without create/edit); set by the handler.
    published_only: bool = False


def invalid(found: Sequence[FieldViolation], what: str) -> InvalidArgument:
    summary = "; ".join(f"{v.field}: {v.message}" for v in found)
    return InvalidArgument(f"invalid {what}: {summary}", list(found))


def normalise_language(value: str) -> str:
    """``pt-br`` -> ``pt-BR``, ``zh-hant-tw`` -> ``zh-Hant-TW`` (BCP-47 case
    conventions); raises InvalidArgument naming ``language``."""
    text = value.strip()
    if len(text) > LANGUAGE_MAX or not _LANGUAGE.fullmatch(text):
        raise InvalidArgument.for_field(
            "language", "must be a BCP-47 language tag like en or pt-BR"
        )
    first, *rest = text.split("-")
    parts = [first.lower()]
    for part in rest:
        if len(part) == 2 and part.isalpha():
            parts.append(part.upper())  # region
        elif len(part) == 4 and part.isalpha():
            parts.append(part.title())  # script
        else:
            parts.append(part.lower())
    return "-".join(parts)


def clean_tags(tags: Sequence[str]) -> list[str]:
    """Trimmed, lower-case, without duplicates, in the order given."""
    found: list[FieldViolation] = []
    cleaned: list[str] = []
    for i, raw in enumerate(tags):
        tag = raw.strip().lower()
        if not tag:
            found.append(FieldViolation(f"tags[{i}]", "must not be empty"))
        elif len(tag) > TAG_MAX:
            found.append(FieldViolation(f"tags[{i}]", f"at most {TAG_MAX} characters"))
        elif "\x00" in tag:
            found.append(FieldViolation(f"tags[{i}]", "must not contain NUL characters"))
        elif tag not in cleaned:
            cleaned.append(tag)
    if len(cleaned) > TAGS_MAX:
        found.append(FieldViolation("tags", f"at most {TAGS_MAX} tags"))
    if found:
        raise invalid(found, "tags")
    return cleaned


def clean_article(values: Mapping[str, Any]) -> dict[str, Any]:
    """Trimmed title, normalised language and tags (body kept as written)."""
    cleaned = dict(values)
    if isinstance(cleaned.get("title"), str):
        cleaned["title"] = cleaned["title"].strip()
    if isinstance(cleaned.get("status"), str):
        cleaned["status"] = cleaned["status"].strip().lower()
    if "language" in cleaned:
        cleaned["language"] = normalise_language(str(cleaned["language"]))
    if "tags" in cleaned:
        cleaned["tags"] = clean_tags(list(cleaned["tags"]))
    return cleaned


def validate_article(changes: Mapping[str, Any], merged: Mapping[str, Any]) -> None:
    """``merged`` is the article as it would be after the change."""
    found: list[FieldViolation] = []
    title = str(merged.get("title") or "")
    if not title:
        found.append(FieldViolation("title", "an article needs a title"))
    elif len(title) > TITLE_MAX:
        found.append(FieldViolation("title", f"at most {TITLE_MAX} characters"))
    if len(str(changes.get("body") or "")) > BODY_MAX:
        found.append(FieldViolation("body", f"at most {BODY_MAX} characters"))
    for name in ("title", "body"):
        if "\x00" in str(changes.get(name) or ""):
            found.append(FieldViolation(name, "must not contain NUL characters"))
    if "status" in changes and changes["status"] not in STATUSES:
        found.append(FieldViolation("status", f"must be one of {', '.join(STATUSES)}"))
    if found:
        raise invalid(found, "article")


def clean_category(values: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v.strip() if isinstance(v, str) else v for k, v in values.items()}


def validate_category(changes: Mapping[str, Any], merged: Mapping[str, Any]) -> None:
    found: list[FieldViolation] = []
    name = str(merged.get("name") or "")
    if not name:
        found.append(FieldViolation("name", "a category needs a name"))
    elif len(name) > CATEGORY_NAME_MAX:
        found.append(FieldViolation("name", f"at most {CATEGORY_NAME_MAX} characters"))
    if len(str(changes.get("description") or "")) > DESCRIPTION_MAX:
        found.append(FieldViolation("description", f"at most {DESCRIPTION_MAX} characters"))
    for key in ("name", "description"):
        if "\x00" in str(changes.get(key) or ""):
            found.append(FieldViolation(key, "must not contain NUL characters"))
    position = changes.get("position")
    if position is not None and not 0 <= position <= POSITION_MAX:
        found.append(FieldViolation("position", f"0..{POSITION_MAX}"))
    if found:
        raise invalid(found, "category")


def clean_query(q: str) -> str:
    """The search text: trimmed, bounded, storable (422 naming ``q``)."""
    text = q.strip()
    if len(text) > QUERY_MAX:
        raise InvalidArgument.for_field("q", f"at most {QUERY_MAX} characters")
    if "\x00" in text:
        raise InvalidArgument.for_field("q", "must not contain NUL characters")
    return text


def clean_filter_status(status: str) -> str:
    text = status.strip().lower()
    if text and text not in STATUSES:
        raise InvalidArgument.for_field("status", f"must be one of {', '.join(STATUSES)}")
    return text


def clean_filter_tag(tag: str) -> str:
    text = tag.strip().lower()
    if len(text) > TAG_MAX or "\x00" in text:
        raise InvalidArgument.for_field("tag", f"at most {TAG_MAX} characters of text")
    return text


@dataclass(frozen=True)
class StatusChange:
    status: str
    published_at: datetime | None


def move_to(
    current: str, published_at: datetime | None, target: str, now: datetime
) -> StatusChange:
    """The status an article moves to and its published_at: publishing stamps
    ``now`` (re-publishing a published article keeps its time), going back to
    draft clears it, archiving keeps it."""
    if target not in STATUSES:
        raise InvalidArgument.for_field("status", f"must be one of {', '.join(STATUSES)}")
    if target == PUBLISHED:
        return StatusChange(PUBLISHED, published_at if current == PUBLISHED else now)
    if target == DRAFT:
        return StatusChange(DRAFT, None)
    return StatusChange(ARCHIVED, published_at)


def unpublish(current: str, published_at: datetime | None, now: datetime) -> StatusChange:
    if current != PUBLISHED:
        raise FailedPrecondition(f"the article is {current}, not published")
    return move_to(current, published_at, DRAFT, now)
