"""Price books: list prices per product in one currency, valid between two dates,
with optional quantity tiers. Module ``price_books``; the tenant's, no owner."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from crm_common.access import AccessContext, check_writable_fields, require
from crm_common.db import utcnow
from crm_common.errors import InvalidArgument, VersionConflict
from crm_common.pagination import Page
from inventory.adapters.orm import PriceBookEntryRow, PriceBookRow
from inventory.adapters.price_book_repository import PriceBookFilters, PriceBookRepository
from inventory.adapters.product_repository import ProductRepository
from inventory.domain import price_books as rules
from inventory.domain.commands import CreateRecord, Entry, UpdateRecord
from inventory.service_layer.deps import InventoryDeps
from inventory.service_layer.shared import actor, commit, tenant

PRICE_BOOKS = "price_books"
NEW_BOOK_DEFAULTS = {"is_standard": False, "active": True, "valid_from": None, "valid_to": None}


@dataclass(frozen=True)
class VisiblePriceBook:
    row: PriceBookRow


async def create_price_book(
    cmd: CreateRecord, ctx: AccessContext, deps: InventoryDeps
) -> VisiblePriceBook:
    require(ctx, PRICE_BOOKS, "create")
    check_writable_fields(ctx, PRICE_BOOKS, cmd.values)
    values = {"entries": [], **NEW_BOOK_DEFAULTS, **_clean(cmd.values)}
    rules.validate_price_book(values, values)
    async with deps.uow() as uow:
        book = PriceBookRow(id=uuid.uuid4(), tenant_id=tenant(ctx), created_by=actor(ctx))
        await _set_entries(uow.session, book, values.pop("entries"))
        _assign(book, values, ctx)
        uow.session.add(book)
        await commit(uow)
    return VisiblePriceBook(book)


async def get_price_book(
    book_id: uuid.UUID, ctx: AccessContext, deps: InventoryDeps
) -> VisiblePriceBook:
    require(ctx, PRICE_BOOKS, "view")
    async with deps.uow() as uow:
        return VisiblePriceBook(await PriceBookRepository(uow.session, tenant(ctx)).get(book_id))


async def list_price_books(
    ctx: AccessContext,
    deps: InventoryDeps,
    filters: PriceBookFilters,
    *,
    limit: int,
    cursor: str | None,
) -> Page[VisiblePriceBook]:
    require(ctx, PRICE_BOOKS, "view")
    async with deps.uow() as uow:
        repo = PriceBookRepository(uow.session, tenant(ctx))
        page = await repo.page(filters, limit=limit, cursor=cursor)
    return Page([VisiblePriceBook(row) for row in page.items], page.next_cursor)


async def update_price_book(
    cmd: UpdateRecord, ctx: AccessContext, deps: InventoryDeps
) -> VisiblePriceBook:
    require(ctx, PRICE_BOOKS, "edit")
    check_writable_fields(ctx, PRICE_BOOKS, cmd.changes)
    changes = _clean(cmd.changes)
    async with deps.uow() as uow:
        book = await PriceBookRepository(uow.session, tenant(ctx)).get(
            cmd.record_id, for_update=True
        )
        if cmd.expected_version and cmd.expected_version != book.version:
            raise VersionConflict(f"record is at version {book.version}")
        rules.validate_price_book(changes, {**_current(book), **changes})
        if "entries" in changes:
            await _set_entries(uow.session, book, changes.pop("entries"))
        _assign(book, changes, ctx)
        await commit(uow)
    return VisiblePriceBook(book)


def _clean(values: Any) -> dict[str, Any]:
    cleaned = dict(values)
    if isinstance(cleaned.get("name"), str):
        cleaned["name"] = cleaned["name"].strip()
    if isinstance(cleaned.get("currency"), str):
        cleaned["currency"] = cleaned["currency"].strip().upper()
    return cleaned


def _current(book: PriceBookRow) -> dict[str, Any]:
    names = ("name", "currency", "valid_from", "valid_to")
    return {name: getattr(book, name) for name in names}


async def _set_entries(session: Any, book: PriceBookRow, entries: Sequence[Entry]) -> None:
    ids = [entry.product_id for entry in entries]
    missing = set(ids) - await ProductRepository(session, book.tenant_id).existing(ids)
    if missing:
        raise InvalidArgument.for_field("entries", f"no such product: {sorted(missing)[0]}")
    if book.entries:  # old tiers go first, or a re-sent tier would collide with itself
        book.entries = []
        await session.flush()
    book.entries = [
        PriceBookEntryRow(
            tenant_id=book.tenant_id,
            product_id=entry.product_id,
            list_price=entry.list_price,
            min_quantity=entry.min_quantity,
            position=i,
        )
        for i, entry in enumerate(entries)
    ]


def _assign(book: PriceBookRow, values: dict[str, Any], ctx: AccessContext) -> None:
    for name, value in values.items():
        setattr(book, name, value)
    book.updated_by = actor(ctx)
    book.updated_at = utcnow()
