from __future__ import annotations

import pytest

from crm_common.auth import ANONYMOUS, Principal, decode_principal, encode_principal
from crm_common.errors import Unauthenticated

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
