"""Pure rules of accounts and contacts, and their pb2 edge."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from crm.sales.v1 import sales_pb2 as pb
from crm_common.errors import InvalidArgument
from sales import mappers_accounts
from sales.adapters.orm import ContactRow
from sales.domain import accounts
from sales.service_layer.accounts import VisibleContact


def test_a_cycle_is_refused_naming_parent_id() -> None:
    me, parent = uuid.uuid4(), uuid.uuid4()
    accounts.check_parent(me, [parent, uuid.uuid4()])
    with pytest.raises(InvalidArgument) as caught:
        accounts.check_parent(me, [parent, me])
    assert [v.field for v in caught.value.violations] == ["parent_id"]


def test_validation_reports_every_field() -> None:
    values = {"email": "nope", "title": "x" * 201, "tags": [""]}
    with pytest.raises(InvalidArgument) as caught:
        accounts.validate_contact(values, values)
    fields = {v.field for v in caught.value.violations}
    assert fields == {"email", "title", "tags", "last_name", "account_id"}


def test_addresses_keep_known_parts_trimmed() -> None:
    assert accounts.clean_address({"city": " X ", "street": "", "planet": "Mars"}) == {"city": "X"}


def test_update_parent_empty_means_top_level() -> None:
    cmd = mappers_accounts.update_account_cmd(
        pb.UpdateAccountRequest(id=str(uuid.uuid4()), update_mask=["parent_id"])
    )
    assert cmd.changes == {"parent_id": None}
    with pytest.raises(InvalidArgument):
        mappers_accounts.update_account_cmd(
            pb.UpdateAccountRequest(id=str(uuid.uuid4()), update_mask=["tenant_id"])
        )


def test_hidden_contact_fields_are_cleared_and_named() -> None:
    now = datetime.now(UTC)
    row = ContactRow(
        id=uuid.uuid4(), tenant_id=uuid.uuid4(), owner_id=uuid.uuid4(), account_id=uuid.uuid4(),
        first_name="Ada", last_name="L", email="a@b.example", phone="+31", title="",
        tags=[], custom_fields={}, version=1, created_at=now, updated_at=now,
    )  # fmt: skip
    message = mappers_accounts.contact_to_pb(VisibleContact(row, frozenset({"phone"})))
    assert message.phone == "" and list(message.hidden_fields) == ["phone"]
    assert message.email == "a@b.example"
