from __future__ import annotations

import pytest

from crm_common.access import can, require
from crm_common.auth import ANONYMOUS, Principal, decode_principal, encode_principal
from crm_common.errors import PermissionDenied, Unauthenticated

SECRET = "s3cret"


def test_principal_round_trips_through_signed_metadata() -> None:
    principal = Principal(
        kind="user",
        tenant_id="t1",
        user_id="u1",
        roles=("admin",),
        permissions=("*",),
        profile_ids=("p1", "p2"),
    )
    assert decode_principal(dict(encode_principal(principal, SECRET)), SECRET) == principal


def test_forged_or_foreign_principal_is_rejected() -> None:
    metadata = dict(encode_principal(Principal(kind="user", tenant_id="t1"), SECRET))
    with pytest.raises(Unauthenticated):
        decode_principal(metadata, "another-secret")
    forged = dict(encode_principal(Principal(kind="user", tenant_id="t2"), "attacker"))
    forged["x-crm-principal-sig"] = metadata["x-crm-principal-sig"]
    with pytest.raises(Unauthenticated):
        decode_principal(forged, SECRET)


def test_missing_principal_is_anonymous() -> None:
    assert decode_principal({}, SECRET) == ANONYMOUS


@pytest.mark.parametrize(
    ("permissions", "allowed"),
    [
        (("*",), True),
        (("leads:view",), True),
        (("leads:*",), True),
        (("deals:view",), False),
        ((), False),
    ],
)
def test_can_checks_module_and_action(permissions: tuple[str, ...], allowed: bool) -> None:
    principal = Principal(kind="user", tenant_id="t", permissions=permissions)
    assert can(principal, "leads", "view") is allowed


def test_require_distinguishes_anonymous_from_forbidden() -> None:
    with pytest.raises(Unauthenticated):
        require(ANONYMOUS, "leads", "view")
    with pytest.raises(PermissionDenied):
        require(Principal(kind="user", tenant_id="t"), "leads", "view")
