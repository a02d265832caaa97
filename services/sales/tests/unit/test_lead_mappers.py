"""The pb2 edge: hidden fields are cleared and named; create sends only given fields."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from crm.sales.v1 import sales_pb2 as pb
from crm_common.errors import InvalidArgument
from sales import mappers
from sales.adapters.orm import LeadRow
from sales.service_layer.leads import VisibleLead


def _row() -> LeadRow:
    now = datetime.now(UTC)
    return LeadRow(
        id=uuid.uuid4(), tenant_id=uuid.uuid4(), owner_id=uuid.uuid4(), first_name="Ada",
        last_name="L", email="ada@example.com", phone="+31 20", company="Acme", title="",
        industry="", source="web", status="new", score=5, tags=["a"], custom_fields={"k": 1},
        version=1, created_at=now, updated_at=now,
    )  # fmt: skip


def test_hidden_fields_are_cleared_and_named() -> None:
    message = mappers.lead_to_pb(VisibleLead(_row(), [], frozenset({"phone", "custom_fields"})))
    assert message.phone == "" and message.custom_fields_json == ""
    assert list(message.hidden_fields) == ["custom_fields", "phone"]
    assert message.email == "ada@example.com"


def test_create_carries_only_given_fields() -> None:
    cmd = mappers.create_lead_cmd(pb.CreateLeadRequest(last_name="L", custom_fields_json='{"a":1}'))
    assert cmd.given_fields() == ["custom_fields", "last_name"]


def test_custom_fields_must_be_an_object() -> None:
    with pytest.raises(InvalidArgument):
        mappers.create_lead_cmd(pb.CreateLeadRequest(custom_fields_json="[1]"))
