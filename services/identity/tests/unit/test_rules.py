from __future__ import annotations

import uuid

import pytest

from crm.identity.v1 import identity_pb2 as pb
from crm_common.errors import InvalidArgument
from identity import mappers
from identity.adapters.tokens import hash_refresh_token, new_refresh_token
from identity.domain import rules
from identity.domain.commands import CreateTenant
from identity.service_layer.tenants import validate


def violations_of(cmd: CreateTenant) -> set[str]:
    with pytest.raises(InvalidArgument) as info:
        validate(cmd, 10)
    return {v.field for v in info.value.violations}


def test_valid_tenant_passes() -> None:
    validate(
        CreateTenant("Acme", "acme-eu", "a@acme.example", "long-enough-pw", "Europe/Rome", "EUR"),
        10,
    )


def test_every_bad_field_is_reported_at_once() -> None:
    cmd = CreateTenant("", "-Bad-", "nope", "short", "Mars/Base", "euro")
    assert violations_of(cmd) == {
        "name",
        "slug",
        "admin_email",
        "admin_password",
        "timezone",
        "currency",
    }


@pytest.mark.parametrize("slug", ["a", "acme", "acme-2", "x" * 63])
def test_slug_accepts(slug: str) -> None:
    v = rules.Violations()
    rules.check_slug(v, slug)
    assert v.items == []


@pytest.mark.parametrize("slug", ["", "-a", "a-", "A", "a_b", "x" * 64, "a b"])
def test_slug_rejects(slug: str) -> None:
    v = rules.Violations()
    rules.check_slug(v, slug)
    assert [i.field for i in v.items] == ["slug"]


def test_emails_are_compared_case_insensitively() -> None:
    assert rules.normalize_email("  Ada@Example.COM ") == "ada@example.com"


def test_admins_get_every_permission_others_a_few() -> None:
    assert rules.permissions_for(["admin"]) == ["*"]
    assert "users:create" not in rules.permissions_for(["user"])


def test_refresh_tokens_are_stored_only_as_hashes() -> None:
    token, digest = new_refresh_token()
    assert token.startswith("rt_") and len(token) > 40
    assert digest == hash_refresh_token(token) and token.encode() not in digest


def test_update_mask_selects_changes_and_refuses_unknown_fields() -> None:
    user_id = str(uuid.uuid4())
    cmd = mappers.update_user_cmd(
        pb.UpdateUserRequest(
            id=user_id,
            update_mask=["first_name", "roles"],
            first_name="Ada",
            roles=["admin"],
            last_name="x",
        )
    )
    assert cmd.changes == {"first_name": "Ada", "roles": ["admin"]}
    with pytest.raises(InvalidArgument):
        mappers.update_user_cmd(pb.UpdateUserRequest(id=user_id, update_mask=["password_hash"]))
    with pytest.raises(InvalidArgument):
        mappers.update_user_cmd(pb.UpdateUserRequest(id="nope", update_mask=[]))
