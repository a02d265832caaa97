"""Assignment rules: pb2 <-> schema conversion, the one place for them."""

from __future__ import annotations

from crm.sales.v1 import assignment_pb2 as pb
from crm_common.wire import time_field
from gateway.mappers import page_request
from gateway.schemas.assignment_rules import (
    AssignmentRuleCreate,
    AssignmentRulePage,
    AssignmentRuleRead,
    AssignmentRuleUpdate,
    RuleCondition,
    RuleConditionRead,
    RuleTarget,
    RuleTargetRead,
)

UPDATABLE = ("name", "position", "active", "conditions", "target")


def _condition(condition: RuleCondition) -> pb.RuleCondition:
    if isinstance(condition.value, list):
        return pb.RuleCondition(field=condition.field, op=condition.op, values=condition.value)
    return pb.RuleCondition(field=condition.field, op=condition.op, value=str(condition.value))


def _target(target: RuleTarget) -> pb.RuleTarget:
    return pb.RuleTarget(
        type=target.type, user_id=target.user_id or "", group_id=target.group_id or ""
    )


def create_rule_request(body: AssignmentRuleCreate) -> pb.CreateAssignmentRuleRequest:
    return pb.CreateAssignmentRuleRequest(
        name=body.name,
        position=body.position,
        inactive=not body.active,
        conditions=[_condition(c) for c in body.conditions],
        target=_target(body.target),
    )


def update_rule_request(
    rule_id: str, body: AssignmentRuleUpdate, expected_version: int
) -> pb.UpdateAssignmentRuleRequest:
    present = [name for name in UPDATABLE if name in body.model_fields_set]
    request = pb.UpdateAssignmentRuleRequest(
        id=rule_id, update_mask=present, expected_version=expected_version
    )
    if body.name is not None:
        request.name = body.name
    if body.position is not None:
        request.position = body.position
    if body.active is not None:
        request.active = body.active
    if body.conditions is not None:
        request.conditions.extend(_condition(c) for c in body.conditions)
    if body.target is not None:
        request.target.CopyFrom(_target(body.target))
    return request


def list_rules_request(limit: int, cursor: str | None) -> pb.ListAssignmentRulesRequest:
    return pb.ListAssignmentRulesRequest(page=page_request(limit, cursor))


def rule_read(rule: pb.AssignmentRule) -> AssignmentRuleRead:
    return AssignmentRuleRead(
        id=rule.id,
        tenant_id=rule.tenant_id,
        name=rule.name,
        position=rule.position,
        active=rule.active,
        conditions=[
            RuleConditionRead(
                field=c.field, op=c.op, value=list(c.values) if c.op == "in" else c.value
            )
            for c in rule.conditions
        ],
        target=RuleTargetRead(
            type=rule.target.type,
            user_id=rule.target.user_id or None,
            group_id=rule.target.group_id or None,
        ),
        version=rule.version,
        created_at=time_field(rule, "created_at"),
        updated_at=time_field(rule, "updated_at"),
    )


def rule_page(response: pb.ListAssignmentRulesResponse) -> AssignmentRulePage:
    return AssignmentRulePage(
        items=[rule_read(r) for r in response.items], next_cursor=response.page.next_cursor or None
    )
