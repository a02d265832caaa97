"""Access decisions from an AccessContext: permissions, record visibility by
ownership and sharing, field rules."""

from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa

from crm_common.access import (
    AccessContext,
    can,
    check_writable_fields,
    may_edit_record,
    readable_owner_ids,
    redact,
    require,
    visible_filter,
    writable_owner_ids,
)
from crm_common.errors import PermissionDenied

ME, SUB, PEER, OTHER = (str(uuid.uuid4()) for _ in range(4))


def ctx(**kw: object) -> AccessContext:
    base: dict[str, object] = {
        "tenant_id": "t",
        "user_id": ME,
        "permissions": {"leads": frozenset({"view", "edit"})},
        "own_ids": frozenset({ME, SUB}),
    }
    return AccessContext(**{**base, **kw})  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("permissions", "allowed"),
    [
        ({"*": frozenset({"*"})}, True),
        ({"leads": frozenset({"view"})}, True),
        ({"leads": frozenset({"*"})}, True),
        ({"*": frozenset({"view"})}, True),
        ({"deals": frozenset({"view"})}, False),
        ({}, False),
    ],
)
def test_can_checks_module_and_action(
    permissions: dict[str, frozenset[str]], allowed: bool
) -> None:
    assert can(ctx(permissions=permissions), "leads", "view") is allowed


def test_require_names_the_refusal() -> None:
    with pytest.raises(PermissionDenied, match="delete leads"):
        require(ctx(), "leads", "delete")


def test_private_module_shows_mine_and_my_subordinates_only() -> None:
    c = ctx()
    assert readable_owner_ids(c, "leads") == {ME, SUB}
    assert may_edit_record(c, "leads", SUB) and not may_edit_record(c, "leads", PEER)


def test_public_read_lets_peers_read_but_not_edit() -> None:
    c = ctx(defaults={"leads": "public_read"})
    assert readable_owner_ids(c, "leads") is None
    assert writable_owner_ids(c, "leads") == {ME, SUB}
    assert not may_edit_record(c, "leads", PEER)


def test_public_read_write_and_administrators_reach_everything() -> None:
    assert may_edit_record(ctx(defaults={"leads": "public_read_write"}), "leads", PEER)
    assert may_edit_record(ctx(all_records=True), "leads", OTHER)


def test_sharing_rules_add_read_or_write_owners() -> None:
    c = ctx(shared_read={"leads": frozenset({PEER})}, shared_write={"leads": frozenset({OTHER})})
    assert readable_owner_ids(c, "leads") == {ME, SUB, PEER, OTHER}
    assert not may_edit_record(c, "leads", PEER)
    assert may_edit_record(c, "leads", OTHER)
    assert readable_owner_ids(c, "deals") == {ME, SUB}  # rules are per module


def test_visible_filter_is_a_sql_condition_on_the_owner() -> None:
    owner = sa.column("owner_id", sa.Uuid)
    sql = str(visible_filter(ctx(), "leads", owner).compile(compile_kwargs={"literal_binds": True}))
    assert "owner_id IN" in sql
    assert str(visible_filter(ctx(all_records=True), "leads", owner)) == "true"


def test_hidden_fields_are_removed_and_protected_fields_refused() -> None:
    c = ctx(fields={"users": {"phone": "hidden", "email": "read_only"}})
    assert redact(c, "users", {"phone": "1", "email": "a", "title": "x"}) == {
        "email": "a",
        "title": "x",
    }
    with pytest.raises(PermissionDenied) as info:
        check_writable_fields(c, "users", ["title", "email"])
    assert info.value.field == "email"
    with pytest.raises(PermissionDenied):
        check_writable_fields(c, "users", ["phone"])
    check_writable_fields(c, "users", ["title"])
