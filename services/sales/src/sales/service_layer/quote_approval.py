"""A manager's approval of a quote whose line discount is above the threshold.

The owner (or whoever may edit the quote) asks; someone above the owner in the
role hierarchy decides: the owner is among the caller's own records (me, the
users below my role, my groups) and is not the caller, or the caller is an
administrator. Each step is one event for notifications.
"""

from __future__ import annotations

from crm_common.access import AccessContext, require
from crm_common.errors import PermissionDenied
from sales.adapters.quote_repository import QuoteRepository
from sales.domain import quote_states as states
from sales.domain.quote_commands import QuoteAction
from sales.domain.quotes import QUOTES
from sales.service_layer.deps import SalesDeps
from sales.service_layer.ownership import actor
from sales.service_layer.quote_shared import (
    VisibleQuote,
    check_version,
    commit,
    editable_quote,
    quote_event,
    touch,
    visible,
)


async def request_approval(cmd: QuoteAction, ctx: AccessContext, deps: SalesDeps) -> VisibleQuote:
    require(ctx, QUOTES, "edit")
    async with deps.uow() as uow:
        repo = QuoteRepository(uow.session, ctx)
        quote = await editable_quote(repo, ctx, cmd.quote_id, cmd.expected_version)
        states.check_may_request_approval(quote.status, quote.approval_status)
        quote.approval_status, quote.approved_by = states.PENDING, None
        quote.approval_note = cmd.reason
        touch(quote, ctx)
        uow.record(quote_event(states.QUOTE_APPROVAL_REQUESTED, quote, ctx, reason=cmd.reason))
        await commit(uow)
        lines = await repo.lines(quote.id)
    return visible(quote, lines, ctx, deps)


async def approve(cmd: QuoteAction, ctx: AccessContext, deps: SalesDeps) -> VisibleQuote:
    return await _decide(cmd, ctx, deps, approved=True)


async def reject_approval(cmd: QuoteAction, ctx: AccessContext, deps: SalesDeps) -> VisibleQuote:
    return await _decide(cmd, ctx, deps, approved=False)


async def _decide(
    cmd: QuoteAction, ctx: AccessContext, deps: SalesDeps, *, approved: bool
) -> VisibleQuote:
    require(ctx, QUOTES, "edit")
    async with deps.uow() as uow:
        repo = QuoteRepository(uow.session, ctx)
        quote = await repo.get(cmd.quote_id, for_update=True)  # invisible: 404
        check_version(quote, cmd.expected_version)
        _require_approver(ctx, str(quote.owner_id))
        states.check_may_decide(quote.status, quote.approval_status)
        quote.approval_status = states.APPROVED if approved else states.REJECTED
        quote.approved_by, quote.approval_note = actor(ctx), cmd.reason
        touch(quote, ctx)
        subject = states.QUOTE_APPROVED if approved else states.QUOTE_APPROVAL_REJECTED
        uow.record(quote_event(subject, quote, ctx, reason=cmd.reason))
        await commit(uow)
        lines = await repo.lines(quote.id)
    return visible(quote, lines, ctx, deps)


def _require_approver(ctx: AccessContext, owner_id: str) -> None:
    if not states.is_above_owner(
        owner_id=owner_id, caller_id=ctx.user_id, own_ids=ctx.own_ids, all_records=ctx.all_records
    ):
        raise PermissionDenied("only someone above the quote's owner may decide its approval")
