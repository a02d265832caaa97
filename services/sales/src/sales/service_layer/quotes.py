"""Quotes: create (priced by inventory), read, list, change the header of a draft.

Access as for accounts: module ``quotes``, record visibility on owner_id, record
edit, writable and hidden fields; the account (and contact, deal) must be records
the caller may see. Pricing runs before the transaction that writes, so no row is
locked while inventory answers and an unreachable inventory stores nothing.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

from crm_common.access import AccessContext, check_writable_fields, require
from crm_common.pagination import Page
from sales.adapters.orm_quotes import QuoteRow
from sales.adapters.quote_repository import QuoteFilters, QuoteRepository, next_number
from sales.domain import quote_states as states
from sales.domain.quote_commands import REPRICING, CreateQuote, UpdateQuote
from sales.domain.quotes import DEFAULT_VALIDITY_DAYS, QUOTES, clean_lines, validate_header
from sales.service_layer import quote_lines
from sales.service_layer.deps import SalesDeps
from sales.service_layer.ownership import actor, owner_for
from sales.service_layer.quote_pricing import PricingTerms, price_lines, store_lines
from sales.service_layer.quote_shared import VisibleQuote, commit, editable_quote, today, visible


async def create_quote(cmd: CreateQuote, ctx: AccessContext, deps: SalesDeps) -> VisibleQuote:
    require(ctx, QUOTES, "create")
    check_writable_fields(ctx, QUOTES, cmd.values)
    values = {"valid_until": today() + timedelta(days=DEFAULT_VALIDITY_DAYS), **cmd.values}
    validate_header(values, today())
    specs = clean_lines(cmd.lines)
    owner_id = owner_for(ctx, QUOTES, values.pop("owner_id", None))
    terms = PricingTerms(
        values["currency"], values.get("price_book_id"), values.get("region", ""), today()
    )
    priced = await price_lines(deps.pricing, specs, terms)
    async with deps.uow() as uow:
        repo = QuoteRepository(uow.session, ctx)
        await quote_lines.check_links(repo, values)
        quote = QuoteRow(id=uuid.uuid4(), tenant_id=repo.tenant_id, owner_id=owner_id, **values)
        quote.status, quote.created_by, quote.updated_by = states.DRAFT, actor(ctx), actor(ctx)
        threshold = deps.settings.quote_approval_discount_percent
        lines = store_lines(quote, priced, terms.on, threshold)
        # Last, so the counter row is locked for as short a time as possible.
        quote.number = await next_number(uow.session, repo.tenant_id, "Q", today().year)
        uow.session.add(quote)
        await uow.session.flush()
        uow.session.add_all(lines)
        await commit(uow)
    return visible(quote, lines, ctx, deps)


async def get_quote(quote_id: uuid.UUID, ctx: AccessContext, deps: SalesDeps) -> VisibleQuote:
    require(ctx, QUOTES, "view")
    async with deps.uow() as uow:
        repo = QuoteRepository(uow.session, ctx)
        quote = await repo.get(quote_id)
        lines = await repo.lines(quote.id)
    return visible(quote, lines, ctx, deps)


async def list_quotes(
    ctx: AccessContext, deps: SalesDeps, filters: QuoteFilters, *, limit: int, cursor: str | None
) -> Page[VisibleQuote]:
    require(ctx, QUOTES, "view")
    async with deps.uow() as uow:
        repo = QuoteRepository(uow.session, ctx)
        page = await repo.page(filters, limit=limit, cursor=cursor)
        lines = await repo.lines_of([row.id for row in page.items])
    items = [visible(row, lines[row.id], ctx, deps) for row in page.items]
    return Page(items, page.next_cursor)


async def update_quote(cmd: UpdateQuote, ctx: AccessContext, deps: SalesDeps) -> VisibleQuote:
    """Header fields of a draft; a new region or price book reprices the lines."""
    require(ctx, QUOTES, "edit")
    check_writable_fields(ctx, QUOTES, cmd.changes)
    changes = dict(cmd.changes)
    validate_header(changes, today())
    if REPRICING & changes.keys():
        return await quote_lines.reprice(
            cmd.quote_id, cmd.expected_version, ctx, deps, changes=changes
        )
    async with deps.uow() as uow:
        repo = QuoteRepository(uow.session, ctx)
        quote = await editable_quote(repo, ctx, cmd.quote_id, cmd.expected_version)
        states.check_draft(quote.status)
        await quote_lines.apply_header(repo, quote, changes, ctx)
        await commit(uow)
        lines = await repo.lines(quote.id)
    return visible(quote, lines, ctx, deps)
