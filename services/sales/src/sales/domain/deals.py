"""Value rules of pipelines and deals: pure functions, no I/O.

Every violated field is reported at once (422 naming each field).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from crm_common.errors import FieldViolation, InvalidArgument
from crm_common.money import MINOR_UNITS, round_half_up
from sales.domain import rules

DEALS = "deals"  # the access-control module of pipelines and deals
STAGE_KINDS = ("open", "won", "lost")
OPEN, WON, LOST = STAGE_KINDS
NAME_LIMIT, PIPELINE_NAME_LIMIT, LOST_REASON_LIMIT = 200, 100, 2000
MAX_STAGES = 50

# The pipeline every tenant gets on first use: (name, probability, kind).
DEFAULT_PIPELINE_NAME = "Sales pipeline"
DEFAULT_STAGES = (
    ("Prospecting", 10, OPEN),
    ("Qualification", 20, OPEN),
    ("Needs analysis", 40, OPEN),
    ("Proposal", 60, OPEN),
    ("Negotiation", 80, OPEN),
    ("Closed won", 100, WON),
    ("Closed lost", 0, LOST),
)
# Subjects of deal events (payloads DealChanged / DealStageChanged in deals.proto).
DEAL_CREATED = "crm.sales.deal.created"
DEAL_UPDATED = "crm.sales.deal.updated"
DEAL_DELETED = "crm.sales.deal.deleted"
DEAL_RESTORED = "crm.sales.deal.restored"
DEAL_STAGE_CHANGED = "crm.sales.deal.stage_changed"
DEAL_WON = "crm.sales.deal.won"
DEAL_LOST = "crm.sales.deal.lost"
# A closed deal's probability is fixed by how it closed.
CLOSED_PROBABILITY = {WON: 100, LOST: 0}


@dataclass(frozen=True)
class StageSpec:
    """A stage as a caller wants it; ``id`` None for a new one."""

    name: str
    probability: int
    kind: str = OPEN
    id: Any = None


def normalized_stages(stages: Sequence[StageSpec]) -> list[StageSpec]:
    """Names trimmed; won and lost stages get their fixed probability (100, 0)."""
    return [
        StageSpec(s.name.strip(), CLOSED_PROBABILITY.get(s.kind, s.probability), s.kind, s.id)
        for s in stages
    ]


def validate_pipeline(name: str | None, stages: Sequence[StageSpec] | None) -> None:
    """``None`` for what does not change."""
    found: list[FieldViolation] = []
    if name is not None and not 1 <= len(name) <= PIPELINE_NAME_LIMIT:
        found.append(FieldViolation("name", f"1 to {PIPELINE_NAME_LIMIT} characters"))
    if stages is not None:
        found += _stage_violations(stages)
    _raise("pipeline", found)


def _stage_violations(stages: Sequence[StageSpec]) -> list[FieldViolation]:
    problem = _stage_problem(stages)
    return [FieldViolation("stages", problem)] if problem else []


def _stage_problem(stages: Sequence[StageSpec]) -> str:
    if not 3 <= len(stages) <= MAX_STAGES:
        return f"a pipeline has 3 to {MAX_STAGES} stages"
    problems = [_one_stage_problem(stage) for stage in stages]
    if any(problems):
        return next(p for p in problems if p)
    ids = [s.id for s in stages if s.id is not None]
    if len({s.name.casefold() for s in stages}) != len(stages) or len(set(ids)) != len(ids):
        return "stage names (and ids) must differ"
    if not set(STAGE_KINDS) <= {s.kind for s in stages}:
        return "needs at least one open, one won and one lost stage"
    return ""


def _one_stage_problem(stage: StageSpec) -> str:
    if stage.kind not in STAGE_KINDS:
        return f"kind must be one of {', '.join(STAGE_KINDS)}"
    if not 1 <= len(stage.name) <= PIPELINE_NAME_LIMIT:
        return f"names have 1 to {PIPELINE_NAME_LIMIT} characters"
    if not 0 <= stage.probability <= 100:
        return "probability must be between 0 and 100"
    return ""


# ---- deals ----


def clean_deal(values: Mapping[str, Any]) -> dict[str, Any]:
    cleaned = dict(values)
    for name in ("name", "lost_reason", "currency"):
        if isinstance(cleaned.get(name), str):
            cleaned[name] = cleaned[name].strip()
    if isinstance(cleaned.get("currency"), str):
        cleaned["currency"] = cleaned["currency"].upper()
    if isinstance(cleaned.get("tags"), list):
        cleaned["tags"] = list(dict.fromkeys(t.strip() for t in cleaned["tags"]))
    return cleaned


def validate_deal(changes: Mapping[str, Any], merged: Mapping[str, Any]) -> None:
    """``merged`` is the deal as it would be after the change."""
    found = _money_violations(merged) if {"amount", "currency"} & set(changes) else []
    if not merged.get("name") or len(str(merged["name"])) > NAME_LIMIT:
        found.append(FieldViolation("name", f"a deal needs a name of 1 to {NAME_LIMIT} characters"))
    probability = changes.get("probability")
    if probability is not None and not 0 <= int(probability) <= 100:
        found.append(FieldViolation("probability", "must be between 0 and 100"))
    if len(str(changes.get("lost_reason") or "")) > LOST_REASON_LIMIT:
        found.append(FieldViolation("lost_reason", f"at most {LOST_REASON_LIMIT} characters"))
    found += rules._tag_violations(changes.get("tags"))
    found += rules._custom_field_violations(changes.get("custom_fields"))
    _raise("deal", found)


def _money_violations(merged: Mapping[str, Any]) -> list[FieldViolation]:
    amount, currency = merged.get("amount"), merged.get("currency") or ""
    if currency and currency not in MINOR_UNITS:
        return [FieldViolation("currency", f"unknown currency code {currency!r}")]
    if amount is None:
        return []  # no amount yet
    if currency not in MINOR_UNITS:
        return [FieldViolation("currency", "an ISO 4217 code is needed with an amount")]
    if amount < 0:
        return [FieldViolation("amount", "must not be negative")]
    if round_half_up(amount, currency) != amount:
        return [FieldViolation("amount", f"has more decimals than {currency} allows")]
    return []


@dataclass(frozen=True)
class StageOutcome:
    status: str
    probability: int
    closes: bool


def stage_outcome(kind: str, stage_probability: int, asked: int | None) -> StageOutcome:
    """What arriving at a stage does: a won/lost stage closes the deal at 100/0;
    an open one keeps it open at the asked probability, else the stage's."""
    if kind in CLOSED_PROBABILITY:
        if asked is not None and asked != CLOSED_PROBABILITY[kind]:
            raise InvalidArgument.for_field(
                "probability", f"a {kind} deal has probability {CLOSED_PROBABILITY[kind]}"
            )
        return StageOutcome(kind, CLOSED_PROBABILITY[kind], True)
    return StageOutcome(OPEN, stage_probability if asked is None else asked, False)


def require_lost_reason(status: str, lost_reason: str) -> None:
    if status == LOST and not lost_reason:
        raise InvalidArgument.for_field("lost_reason", "say why the deal was lost")


def parse_date(value: str, field: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise InvalidArgument.for_field(field, "must be a date like 2026-12-31") from exc


def weighted(amount_times_probability: Decimal, currency: str) -> Decimal:
    """sum(amount * probability) / 100, rounded half-up to the minor unit once."""
    return round_half_up(amount_times_probability / 100, currency)


def _raise(what: str, found: list[FieldViolation]) -> None:
    if found:
        summary = "; ".join(f"{v.field}: {v.message}" for v in found[:3])
        raise InvalidArgument(f"the {what} is invalid ({summary})", found)
