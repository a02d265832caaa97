"""Changing what a draft quote costs: replace its lines, price them again, or
change the region / price book (which prices them again).

Two short transactions around the call to inventory: read the draft (and its
version), price without holding a lock, then write only if the quote is still at
that version (a change in between is a 409: read it again).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from crm_common.access import AccessContext, require, require_record_edit
from crm_common.errors import InvalidArgument, VersionConflict
from sales.adapters.orm_quotes import QuoteRow
from sales.adapters.quote_repository import QuoteRepository
from sales.domain import quote_states as states
from sales.domain.quote_commands import QuoteAction, ReplaceLines
from sales.domain.quotes import QUOTES, LineSpec, clean_lines
from sales.service_layer.deps import SalesDeps
from sales.service_layer.quote_pricing import PricingTerms, price_lines, spec_of, store_lines
from sales.service_layer.quote_shared import (
    VisibleQuote,
    check_version,
    commit,
    today,
    touch,
    visible,
)


async def replace_lines(cmd: ReplaceLines, ctx: AccessContext, deps: SalesDeps) -> VisibleQuote:
    require(ctx, QUOTES, "edit")
    specs = clean_lines(cmd.lines)
    return await reprice(cmd.quote_id, cmd.expected_version, ctx, deps, specs=specs)


async def reprice_quote(cmd: QuoteAction, ctx: AccessContext, deps: SalesDeps) -> VisibleQuote:
    require(ctx, QUOTES, "edit")
    return await reprice(cmd.quote_id, cmd.expected_version, ctx, deps)


async def reprice(
    quote_id: uuid.UUID,
    expected_version: int,
    ctx: AccessContext,
    deps: SalesDeps,
    *,
    changes: dict[str, Any] | None = None,
    specs: Sequence[LineSpec] | None = None,
) -> VisibleQuote:
    """Price ``specs`` (default: the quote's own lines) under the quote's terms with
    ``changes`` applied, then store lines, totals and header changes together."""
    changes = changes or {}
    async with deps.uow() as uow:
        repo = QuoteRepository(uow.session, ctx)
        quote = await repo.get(quote_id)
        require_record_edit(ctx, QUOTES, str(quote.owner_id))
        check_version(quote, expected_version)
        states.check_draft(quote.status)
        if specs is None:
            specs = [spec_of(line) for line in await repo.lines(quote.id)]
        seen_version = quote.version
        terms = PricingTerms(
            quote.currency,
            changes.get("price_book_id", quote.price_book_id),
            changes.get("region", quote.region),
            today(),
        )
    priced = await price_lines(deps.pricing, specs, terms)
    async with deps.uow() as uow:
        repo = QuoteRepository(uow.session, ctx)
        quote = await repo.get(quote_id, for_update=True)
        if quote.version != seen_version:
            raise VersionConflict("the quote changed while it was priced; read it again")
        await apply_header(repo, quote, changes, ctx)
        await repo.delete_lines(quote.id)
        lines = store_lines(quote, priced, terms.on, deps.settings.quote_approval_discount_percent)
        uow.session.add_all(lines)
        touch(quote, ctx)
        await commit(uow)
    return visible(quote, lines, ctx, deps)


async def apply_header(
    repo: QuoteRepository, quote: QuoteRow, changes: dict[str, Any], ctx: AccessContext
) -> None:
    links: dict[str, Any] = {
        name: changes[name] for name in ("contact_id", "deal_id") if name in changes
    }
    if links.get("contact_id") is not None:
        links["account_id"] = quote.account_id
    await check_links(repo, links)
    for name, value in changes.items():
        setattr(quote, name, value)
    touch(quote, ctx)


async def check_links(repo: QuoteRepository, values: dict[str, Any]) -> None:
    """The account, contact and deal named in ``values`` exist and the caller may see
    them; a contact must belong to the quote's account."""
    if values.get("account_id") is not None:
        await repo.account(values["account_id"])
    if values.get("contact_id") is not None:
        contact = await repo.contact(values["contact_id"])
        if values.get("account_id") not in (None, contact.account_id):
            raise InvalidArgument.for_field("contact_id", "is not a contact of the quote's account")
    if values.get("deal_id") is not None:
        await repo.deal(values["deal_id"])
