"""Comments on a case: public (the customer sees them) and internal (agents only).

* Adding one needs cases:edit and edit rights on the case; reading needs
  cases:view, and internal comments are listed only to callers with cases:edit.
* An agent is a user writing a comment that is not ``from_customer``. The first
  public agent comment fulfils first response; after a customer comment (which
  starts a next-response cycle when the policy has that target) the next public
  agent comment fulfils next response. Internal comments fulfil nothing.
* A customer comment on a case waiting on the customer moves it back to open
  (the SLA clock resumes), with its status_changed event.
* Every comment publishes crm.support.case.commented with its mentioned users.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from crm_common.access import AccessContext, can, require, require_record_edit
from crm_common.db import utcnow
from crm_common.errors import InvalidArgument
from crm_common.pagination import Page
from support.adapters.case_repository import CaseRepository, record_owner
from support.adapters.orm_cases import CaseCommentRow
from support.domain import cases as rules
from support.service_layer import case_events, case_sla
from support.service_layer.cases import MODULE, actor, commit_case
from support.service_layer.deps import SupportDeps


@dataclass(frozen=True)
class AddComment:
    case_id: uuid.UUID
    body: str
    public: bool = False
    from_customer: bool = False
    mentioned_user_ids: list[str] = field(default_factory=list)


async def add_comment(cmd: AddComment, ctx: AccessContext, deps: SupportDeps) -> CaseCommentRow:
    require(ctx, MODULE, "edit")
    mentioned = rules.validate_comment(cmd.body, list(cmd.mentioned_user_ids))
    if cmd.from_customer and not cmd.public:
        raise InvalidArgument.for_field("public", "a customer's comment is public")
    async with deps.uow() as uow:
        repo = CaseRepository(uow.session, ctx)
        row = await repo.get(cmd.case_id, for_update=True)
        require_record_edit(ctx, MODULE, record_owner(row))
        now = utcnow()
        comment = CaseCommentRow(
            id=uuid.uuid4(),
            tenant_id=row.tenant_id,
            case_id=row.id,
            body=cmd.body.strip(),
            public=cmd.public,
            from_customer=cmd.from_customer,
            author_id=actor(ctx),
            mentioned_user_ids=[str(u) for u in mentioned],
            created_at=now,
        )
        uow.session.add(comment)
        if cmd.from_customer:
            if row.status == "waiting_on_customer":
                await case_sla.change_status(uow.session, row, "open", now)
                uow.record(
                    case_events.case_changed(
                        rules.CASE_STATUS_CHANGED,
                        row,
                        actor=actor(ctx),
                        from_status="waiting_on_customer",
                    )
                )
            await case_sla.customer_wrote(uow.session, row, now)
        elif cmd.public and ctx.user_id:
            await case_sla.agent_replied(uow.session, row, now)
        uow.record(case_events.case_commented(rules.CASE_COMMENTED, row, comment, mentioned))
        await commit_case(uow)
    return comment


async def list_comments(
    case_id: uuid.UUID,
    ctx: AccessContext,
    deps: SupportDeps,
    *,
    limit: int,
    cursor: str | None,
) -> Page[CaseCommentRow]:
    require(ctx, MODULE, "view")
    async with deps.uow() as uow:
        repo = CaseRepository(uow.session, ctx)
        await repo.get(case_id)
        internal = can(ctx, MODULE, "edit")
        return await repo.comments(case_id, internal=internal, limit=limit, cursor=cursor)
