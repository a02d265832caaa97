"""A segment's definition (a saved filter over the read model), validated."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from crm_common.errors import FieldViolation, InvalidArgument
from marketing.domain.conditions import Condition, problems

KINDS = ("lead", "contact", "any")
MATCHES = ("all", "any")
ENGAGEMENT_TYPES = (
    "email_opened", "email_clicked", "email_replied", "form_submitted", "page_visited",
    "webinar_attended",
)  # fmt: skip
MAX_CONDITIONS = 50
MAX_TAGS = 50


@dataclass(frozen=True)
class Definition:
    kind: str = "any"
    match: str = "all"
    conditions: tuple[Condition, ...] = ()
    min_score: int | None = None
    max_score: int | None = None
    tags_any: tuple[str, ...] = ()
    tags_all: tuple[str, ...] = ()
    engaged_within_days: int | None = None
    engagement_types: tuple[str, ...] = field(default_factory=tuple)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Definition:
        conds = tuple(
            Condition(c["field"], c["op"], c.get("value", ""), tuple(c.get("values", ())))
            for c in data.get("conditions", ())
        )
        return cls(
            kind=data.get("kind", "any"), match=data.get("match", "all"), conditions=conds,
            min_score=data.get("min_score"), max_score=data.get("max_score"),
            tags_any=tuple(data.get("tags_any", ())), tags_all=tuple(data.get("tags_all", ())),
            engaged_within_days=data.get("engaged_within_days"),
            engagement_types=tuple(data.get("engagement_types", ())),
        )  # fmt: skip


def _tags(tags: tuple[str, ...], name: str, found: list[FieldViolation]) -> None:
    if len(tags) > MAX_TAGS or any(not t.strip() or len(t) > 50 for t in tags):
        found.append(FieldViolation(name, f"at most {MAX_TAGS} tags of 1..50 characters"))


def validate(d: Definition) -> None:
    found: list[FieldViolation] = []
    if d.kind not in KINDS:
        found.append(FieldViolation("kind", "must be lead, contact or any"))
    if d.match not in MATCHES:
        found.append(FieldViolation("match", "must be all or any"))
    if len(d.conditions) > MAX_CONDITIONS:
        found.append(FieldViolation("conditions", f"at most {MAX_CONDITIONS}"))
    for i, c in enumerate(d.conditions):
        found.extend(problems(c, f"conditions[{i}]"))
    for name in ("min_score", "max_score"):
        value = getattr(d, name)
        if value is not None and not 0 <= value <= 100:
            found.append(FieldViolation(name, "must be between 0 and 100"))
    if d.min_score is not None and d.max_score is not None and d.min_score > d.max_score:
        found.append(FieldViolation("max_score", "must not be below min_score"))
    _tags(d.tags_any, "tags_any", found)
    _tags(d.tags_all, "tags_all", found)
    if d.engaged_within_days is not None and not 1 <= d.engaged_within_days <= 3650:
        found.append(FieldViolation("engaged_within_days", "must be between 1 and 3650"))
    bad = [t for t in d.engagement_types if t not in ENGAGEMENT_TYPES]
    if bad:
        found.append(FieldViolation("engagement_types", f"unknown: {', '.join(bad)[:100]}"))
    if found:
        raise InvalidArgument("; ".join(f"{v.field}: {v.message}" for v in found), found)
