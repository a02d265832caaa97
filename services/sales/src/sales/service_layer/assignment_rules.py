"""Assignment rules: create, read, list, update, delete. Administrators only
(every record of the tenant and leads:edit); one unit of work per handler."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm.exc import StaleDataError

from crm_common.access import AccessContext, can
from crm_common.errors import InvalidArgument, PermissionDenied, VersionConflict
from crm_common.pagination import Page
from sales.adapters.assignment_repository import AssignmentRepository
from sales.adapters.orm_assignment import AssignmentRuleRow
from sales.domain import assignment as rules
from sales.service_layer.deps import SalesDeps


@dataclass(frozen=True)
class UpdateRule:
    rule_id: uuid.UUID
    changes: Mapping[str, Any] = field(default_factory=dict)  # names from RULE_FIELDS
    expected_version: int = 0


async def create_rule(
    spec: rules.RuleSpec, ctx: AccessContext, deps: SalesDeps
) -> AssignmentRuleRow:
    _require_admin(ctx)
    values = _validated(
        {"name": spec.name, "position": spec.position, "active": spec.active,
         "conditions": spec.conditions, "target": spec.target}
    )  # fmt: skip
    await _check_target(values["target"], deps)
    async with deps.uow() as uow:
        rule = AssignmentRuleRow(id=uuid.uuid4(), tenant_id=uuid.UUID(ctx.tenant_id))
        _assign(rule, values, ctx)
        rule.created_by = rule.updated_by
        uow.session.add(rule)
        await uow.commit()
    return rule


async def get_rule(rule_id: uuid.UUID, ctx: AccessContext, deps: SalesDeps) -> AssignmentRuleRow:
    _require_admin(ctx)
    async with deps.uow() as uow:
        return await AssignmentRepository(uow.session, uuid.UUID(ctx.tenant_id)).get(rule_id)


async def list_rules(
    ctx: AccessContext, deps: SalesDeps, *, limit: int, cursor: str | None
) -> Page[AssignmentRuleRow]:
    _require_admin(ctx)
    async with deps.uow() as uow:
        repo = AssignmentRepository(uow.session, uuid.UUID(ctx.tenant_id))
        return await repo.page(limit=limit, cursor=cursor)


async def update_rule(cmd: UpdateRule, ctx: AccessContext, deps: SalesDeps) -> AssignmentRuleRow:
    _require_admin(ctx)
    changes = _validated(cmd.changes)
    if "target" in changes:
        await _check_target(changes["target"], deps)
    async with deps.uow() as uow:
        repo = AssignmentRepository(uow.session, uuid.UUID(ctx.tenant_id))
        rule = await repo.get(cmd.rule_id, for_update=True)
        _check_version(rule, cmd.expected_version)
        _assign(rule, changes, ctx)
        try:
            await uow.commit()
        except StaleDataError as exc:
            raise VersionConflict("the rule changed concurrently; read it again") from exc
    return rule


async def delete_rule(rule_id: uuid.UUID, ctx: AccessContext, deps: SalesDeps) -> None:
    _require_admin(ctx)
    async with deps.uow() as uow:
        repo = AssignmentRepository(uow.session, uuid.UUID(ctx.tenant_id))
        await repo.delete(await repo.get(rule_id, for_update=True))
        await uow.commit()


def _require_admin(ctx: AccessContext) -> None:
    if not (ctx.all_records and can(ctx, "leads", "edit")):
        raise PermissionDenied("assignment rules are managed by administrators")


def _validated(values: Mapping[str, Any]) -> dict[str, Any]:
    checks: dict[str, Callable[[Any], Any]] = {
        "name": rules.validate_name,
        "position": rules.validate_position,
        "conditions": rules.validate_conditions,
        "target": rules.validate_target,
        "active": bool,
    }
    return {name: checks[name](value) for name, value in values.items()}


async def _check_target(target: rules.Target, deps: SalesDeps) -> None:
    """The group must be the tenant's (an empty one is allowed: it is skipped);
    the user must be active."""
    if deps.groups is None:
        return
    if target.type == "user" and target.user_id not in await deps.groups.active_user_ids():
        raise InvalidArgument.for_field("target.user_id", "no active user with this id")
    if target.group_id is not None and await deps.groups.group_users(target.group_id) is None:
        raise InvalidArgument.for_field("target.group_id", "no such group")


def _check_version(rule: AssignmentRuleRow, expected: int) -> None:
    if expected and expected != rule.version:
        raise VersionConflict(f"the rule is at version {rule.version}, not {expected}")


def _assign(rule: AssignmentRuleRow, values: Mapping[str, Any], ctx: AccessContext) -> None:
    for name, value in values.items():
        if name == "conditions":
            rule.conditions = [{"field": c.field, "op": c.op, "value": c.value} for c in value]
        elif name == "target":
            rule.target_type = value.type
            rule.target_user_id = value.user_id if value.type == "user" else None
            rule.target_group_id = value.group_id if value.type != "user" else None
        else:
            setattr(rule, name, value)
    rule.updated_by = uuid.UUID(ctx.user_id) if ctx.user_id else None
