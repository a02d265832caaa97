"""Assignment rules: where pb2 messages, rows and commands meet."""

from __future__ import annotations

from typing import Any

from crm.sales.v1 import assignment_pb2 as pb
from crm_common.errors import InvalidArgument
from crm_common.wire import parse_uuid, to_timestamp
from sales.adapters.orm_assignment import AssignmentRuleRow
from sales.domain import assignment as rules
from sales.service_layer.assignment_rules import UpdateRule


def rule_to_pb(rule: AssignmentRuleRow) -> pb.AssignmentRule:
    return pb.AssignmentRule(
        id=str(rule.id),
        tenant_id=str(rule.tenant_id),
        name=rule.name,
        position=rule.position,
        active=rule.active,
        conditions=[_condition_to_pb(c) for c in rule.conditions],
        target=pb.RuleTarget(
            type=rule.target_type,
            user_id=str(rule.target_user_id or ""),
            group_id=str(rule.target_group_id or ""),
        ),
        version=rule.version,
        created_at=to_timestamp(rule.created_at),
        updated_at=to_timestamp(rule.updated_at),
    )


def _condition_to_pb(condition: dict[str, Any]) -> pb.RuleCondition:
    value = condition["value"]
    if isinstance(value, list):
        return pb.RuleCondition(field=condition["field"], op=condition["op"], values=value)
    return pb.RuleCondition(field=condition["field"], op=condition["op"], value=value)


def _condition(message: pb.RuleCondition) -> rules.Condition:
    value: str | list[str] = list(message.values) if message.op == "in" else message.value
    return rules.Condition(message.field.strip(), message.op.strip(), value)


def _target(message: pb.RuleTarget) -> rules.Target:
    return rules.Target(
        type=message.type.strip(),
        user_id=parse_uuid(message.user_id, "target.user_id") if message.user_id else None,
        group_id=parse_uuid(message.group_id, "target.group_id") if message.group_id else None,
    )


def rule_spec(req: pb.CreateAssignmentRuleRequest) -> rules.RuleSpec:
    return rules.RuleSpec(
        name=req.name,
        target=_target(req.target),
        position=req.position,
        active=not req.inactive,
        conditions=[_condition(c) for c in req.conditions],
    )


def update_rule_cmd(req: pb.UpdateAssignmentRuleRequest) -> UpdateRule:
    unknown = set(req.update_mask) - rules.RULE_FIELDS
    if unknown:
        raise InvalidArgument.for_field(sorted(unknown)[0], "cannot be changed")
    values: dict[str, Any] = {
        "name": req.name,
        "position": req.position,
        "active": req.active,
        "conditions": [_condition(c) for c in req.conditions],
        "target": _target(req.target),
    }
    changes = {name: values[name] for name in req.update_mask}
    return UpdateRule(parse_uuid(req.id), changes, req.expected_version)
