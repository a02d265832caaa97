"""Knowledge base and insights: where pb2 messages and the handlers' records meet."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from crm.common.v1 import types_pb2
from crm.support.v1 import insights_pb2 as ipb
from crm.support.v1 import knowledge_pb2 as pb
from crm_common.errors import InvalidArgument
from crm_common.pagination import Page
from crm_common.wire import parse_uuid, to_timestamp
from support.adapters.insights_queries import Bucket, InsightsData
from support.domain import knowledge as rules
from support.domain.insights import (
    PRIORITIES,
    STATUSES,
    Compliance,
    Durations,
    InsightsWindow,
    one_decimal,
)
from support.service_layer.knowledge import (
    CaseLink,
    NewRecord,
    RecordChanges,
    VisibleArticle,
    VisibleCategory,
)

ARTICLE_TEXT = ("title", "body", "status", "language")


def page_to_pb(page: Page[Any]) -> types_pb2.PageResponse:
    return types_pb2.PageResponse(next_cursor=page.next_cursor or "")


def _hide(message: Any, hidden: Iterable[str]) -> Any:
    """Fields hidden from the caller stay empty and are named in hidden_fields."""
    for name in sorted(hidden):
        if name in message.DESCRIPTOR.fields_by_name and name != "id":
            message.ClearField(name)
            message.hidden_fields.append(name)
    return message


def _optional_uuid(value: str, field: str) -> uuid.UUID | None:
    return parse_uuid(value, field) if value else None


def _audit(row: Any) -> dict[str, Any]:
    return {
        "version": row.version,
        "created_at": to_timestamp(row.created_at),
        "updated_at": to_timestamp(row.updated_at),
        "created_by": str(row.created_by or ""),
        "updated_by": str(row.updated_by or ""),
    }


def _unknown(mask: Iterable[str], allowed: frozenset[str]) -> None:
    unknown = set(mask) - allowed
    if unknown:
        raise InvalidArgument.for_field(sorted(unknown)[0], "cannot be changed here")


# ---- categories ----


def create_category_cmd(req: pb.CreateCategoryRequest) -> NewRecord:
    values: dict[str, Any] = {"name": req.name}
    if req.description:
        values["description"] = req.description
    if req.HasField("position"):
        values["position"] = req.position
    return NewRecord(values)


def update_category_cmd(req: pb.UpdateCategoryRequest) -> RecordChanges:
    _unknown(req.update_mask, rules.CATEGORY_FIELDS)
    changes = {name: getattr(req, name) for name in req.update_mask}
    return RecordChanges(parse_uuid(req.id), changes, req.expected_version)


def category_to_pb(category: VisibleCategory) -> pb.Category:
    row = category.row
    message = pb.Category(
        id=str(row.id), tenant_id=str(row.tenant_id), name=row.name,
        description=row.description, position=row.position, **_audit(row),
    )  # fmt: skip
    return _hide(message, category.hidden)


# ---- articles ----


def create_article_cmd(req: pb.CreateArticleRequest) -> NewRecord:
    """Only the fields the caller gave, so field rules judge those alone."""
    values: dict[str, Any] = {n: getattr(req, n) for n in ARTICLE_TEXT if getattr(req, n)}
    values.setdefault("title", "")
    if req.category_id:
        values["category_id"] = parse_uuid(req.category_id, "category_id")
    if req.tags:
        values["tags"] = list(req.tags)
    return NewRecord(values)


def update_article_cmd(req: pb.UpdateArticleRequest) -> RecordChanges:
    _unknown(req.update_mask, rules.ARTICLE_FIELDS)
    changes: dict[str, Any] = {}
    for name in req.update_mask:
        if name == "category_id":
            changes[name] = _optional_uuid(req.category_id, "category_id")
        elif name == "tags":
            changes[name] = list(req.tags)
        else:
            changes[name] = getattr(req, name)
    return RecordChanges(parse_uuid(req.id), changes, req.expected_version)


def article_filters(req: pb.ListArticlesRequest) -> rules.ArticleFilters:
    language = rules.normalise_language(req.language) if req.language.strip() else ""
    return rules.ArticleFilters(
        q=rules.clean_query(req.q),
        status=rules.clean_filter_status(req.status),
        category_id=_optional_uuid(req.category_id, "category_id"),
        language=language,
        case_id=_optional_uuid(req.case_id, "case_id"),
        tag=rules.clean_filter_tag(req.tag),
    )


def article_to_pb(article: VisibleArticle) -> pb.Article:
    row = article.row
    message = pb.Article(
        id=str(row.id), tenant_id=str(row.tenant_id), title=row.title, body=row.body,
        category_id=str(row.category_id or ""), status=row.status, language=row.language,
        tags=list(row.tags or []), published_at=to_timestamp(row.published_at),
        rank=article.rank or 0.0, **_audit(row),
    )  # fmt: skip
    return _hide(message, article.hidden)


def link_to_pb(link: CaseLink) -> pb.LinkCaseResponse:
    row = link.row
    message = pb.CaseLink(
        article_id=str(row.article_id), case_id=str(row.case_id),
        created_at=to_timestamp(row.created_at), created_by=str(row.created_by or ""),
    )  # fmt: skip
    return pb.LinkCaseResponse(link=message, created=link.created)


# ---- insights ----


def _compliance(figures: Compliance) -> ipb.TargetCompliance:
    message = ipb.TargetCompliance(
        met=figures.met, breached=figures.breached, pending=figures.pending
    )
    if figures.percent is not None:
        message.compliance_percent = figures.percent
    return message


def _durations(figures: Durations) -> ipb.DurationStats:
    message = ipb.DurationStats(count=figures.count)
    median, p90 = one_decimal(figures.median), one_decimal(figures.p90)
    if median is not None:
        message.median_minutes = median
    if p90 is not None:
        message.p90_minutes = p90
    return message


def _slice(key: str, bucket: Bucket) -> ipb.InsightSlice:
    return ipb.InsightSlice(
        id=key, backlog=bucket.backlog, sla=_compliance(bucket.sla),
        first_response=_durations(bucket.first_response_times),
        resolution=_durations(bucket.resolution_times),
    )  # fmt: skip


def _counts(values: dict[str, int], order: Iterable[str]) -> list[ipb.CountBy]:
    known = list(order)
    keys = known + sorted(k for k in values if k not in known)
    return [ipb.CountBy(key=k, count=values.get(k, 0)) for k in keys if k in values]


def insights_to_pb(window: InsightsWindow, data: InsightsData) -> ipb.HelpDeskInsights:
    total = data.total
    return ipb.HelpDeskInsights(
        from_time=to_timestamp(window.start), to_time=to_timestamp(window.end),
        group_id=str(window.group_id or ""),
        backlog=ipb.Backlog(
            total=total.backlog, by_status=_counts(data.by_status, STATUSES),
            by_priority=_counts(data.by_priority, PRIORITIES),
        ),
        sla=ipb.SlaCompliance(
            overall=_compliance(total.sla), first_response=_compliance(total.first_response),
            resolution=_compliance(total.resolution),
        ),
        first_response=_durations(total.first_response_times),
        resolution=_durations(total.resolution_times),
        groups=[_slice(k, b) for k, b in sorted(data.groups.items())],
        agents=[_slice(k, b) for k, b in sorted(data.agents.items())],
    )  # fmt: skip
