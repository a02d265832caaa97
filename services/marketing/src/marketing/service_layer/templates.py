"""E-mail templates (module email_templates): Jinja2 (sandboxed, HTML
autoescaped), merge fields, per-language variants; syntax checked on save."""

from __future__ import annotations

import uuid
from dataclasses import asdict, dataclass

from crm_common.access import AccessContext, require, require_record_edit
from crm_common.errors import InvalidArgument
from crm_common.pagination import Page
from crm_common.recycle_bin import soft_delete
from marketing.adapters.orm import TemplateRow
from marketing.domain import rendering
from marketing.service_layer.common import (
    actor,
    check_version,
    commit,
    get_visible,
    page_visible,
    tenant_of,
)
from marketing.service_layer.deps import MarketingDeps

MODULE = "email_templates"


@dataclass(frozen=True)
class TemplateInput:
    name: str
    default_language: str
    variants: tuple[rendering.Variant, ...]


def variants_of(row: TemplateRow) -> list[rendering.Variant]:
    return [rendering.Variant(**v) for v in row.variants or []]


def _validate(data: TemplateInput) -> None:
    if not data.name.strip() or len(data.name) > 200:
        raise InvalidArgument.for_field("name", "1..200 characters")
    rendering.validate(data.default_language, data.variants)


def _assign(row: TemplateRow, data: TemplateInput, ctx: AccessContext) -> None:
    row.name, row.default_language = data.name.strip(), data.default_language
    row.variants = [asdict(v) for v in data.variants]
    row.updated_by = actor(ctx)


async def create_template(
    data: TemplateInput, ctx: AccessContext, deps: MarketingDeps
) -> TemplateRow:
    require(ctx, MODULE, "create")
    _validate(data)
    async with deps.uow() as uow:
        row = TemplateRow(id=uuid.uuid4(), tenant_id=tenant_of(ctx), owner_id=actor(ctx),
                          created_by=actor(ctx))  # fmt: skip
        _assign(row, data, ctx)
        uow.session.add(row)
        await uow.commit()
    return row


async def get_template(
    template_id: uuid.UUID, ctx: AccessContext, deps: MarketingDeps
) -> TemplateRow:
    require(ctx, MODULE, "view")
    async with deps.uow() as uow:
        return await get_visible(uow.session, TemplateRow, ctx, MODULE, template_id,
                                 what="e-mail template")  # fmt: skip


async def list_templates(
    ctx: AccessContext, deps: MarketingDeps, *, limit: int, cursor: str | None
) -> Page[TemplateRow]:
    require(ctx, MODULE, "view")
    async with deps.uow() as uow:
        return await page_visible(uow.session, TemplateRow, ctx, MODULE, limit=limit, cursor=cursor)


async def update_template(
    template_id: uuid.UUID,
    data: TemplateInput,
    expected: int,
    ctx: AccessContext,
    deps: MarketingDeps,
) -> TemplateRow:
    require(ctx, MODULE, "edit")
    _validate(data)
    async with deps.uow() as uow:
        row = await get_visible(uow.session, TemplateRow, ctx, MODULE, template_id,
                                for_update=True, what="e-mail template")  # fmt: skip
        require_record_edit(ctx, MODULE, str(row.owner_id or ""))
        check_version(row, expected, "e-mail template")
        _assign(row, data, ctx)
        await commit(uow, "e-mail template")
    return row


async def delete_template(template_id: uuid.UUID, ctx: AccessContext, deps: MarketingDeps) -> None:
    require(ctx, MODULE, "delete")
    async with deps.uow() as uow:
        row = await get_visible(uow.session, TemplateRow, ctx, MODULE, template_id,
                                for_update=True, what="e-mail template")  # fmt: skip
        require_record_edit(ctx, MODULE, str(row.owner_id or ""))
        await soft_delete(uow.session, TemplateRow, row.tenant_id, row.id, actor(ctx))
        await commit(uow, "e-mail template")
