"""The events a case publishes (ids, status and priority; no customer details
beyond the subject line the payloads define)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from crm.support.v1 import events_pb2
from crm_common.events.envelope import NewEvent
from crm_common.wire import to_timestamp
from support.adapters.orm_cases import CaseCommentRow, CaseRow


def _id(value: uuid.UUID | None) -> str:
    return str(value) if value else ""


def case_changed(
    subject: str,
    row: CaseRow,
    *,
    actor: uuid.UUID | None,
    from_status: str = "",
    previous_owner_id: uuid.UUID | None = None,
) -> NewEvent:
    payload = events_pb2.CaseChanged(
        case_id=str(row.id),
        number=row.number,
        owner_id=_id(row.owner_id),
        group_id=_id(row.group_id),
        priority=row.priority,
        status=row.status,
        from_status=from_status,
        account_id=_id(row.account_id),
        contact_id=_id(row.contact_id),
        previous_owner_id=_id(previous_owner_id),
        subject=row.subject,
    )
    return NewEvent(subject, str(row.tenant_id), str(row.id), payload, actor_id=_id(actor))


def sla_event(
    subject: str,
    row: CaseRow,
    target: str,
    due_at: datetime | None,
    *,
    level: int = 0,
    escalation_group_id: uuid.UUID | None = None,
    manager_id: uuid.UUID | None = None,
) -> NewEvent:
    payload = events_pb2.SlaEvent(
        case_id=str(row.id),
        number=row.number,
        target=target,
        due_at=to_timestamp(due_at),
        owner_id=_id(row.owner_id),
        group_id=_id(row.group_id),
        priority=row.priority,
        escalation_level=level,
        escalation_group_id=_id(escalation_group_id),
        manager_id=_id(manager_id),
        subject=row.subject,
    )
    return NewEvent(subject, str(row.tenant_id), str(row.id), payload)


def case_commented(
    subject: str, row: CaseRow, comment: CaseCommentRow, mentioned: Sequence[uuid.UUID]
) -> NewEvent:
    payload = events_pb2.CaseCommented(
        case_id=str(row.id),
        number=row.number,
        comment_id=str(comment.id),
        author_id=_id(comment.author_id),
        public=comment.public,
        mentioned_user_ids=[str(u) for u in mentioned],
        owner_id=_id(row.owner_id),
        subject=row.subject,
    )
    return NewEvent(
        subject, str(row.tenant_id), str(row.id), payload, actor_id=_id(comment.author_id)
    )
