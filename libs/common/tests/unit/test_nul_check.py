from __future__ import annotations

import pytest
from google.protobuf import struct_pb2

from crm.sales.v1 import quotes_pb2, sales_pb2
from crm_common import errors
from crm_common.grpc.nul_check import nul_field, refuse_nul_characters


def test_plain_text_passes() -> None:
    request = quotes_pb2.ReplaceQuoteLinesRequest(
        id="q1", lines=[quotes_pb2.LineInput(product_id="p1", quantity="2")]
    )
    assert nul_field(request) is None
    refuse_nul_characters(request)


def test_names_the_field_holding_a_nul_at_any_depth() -> None:
    assert nul_field(sales_pb2.ListLeadsRequest(q="a\x00b")) == "q"
    lines = [quotes_pb2.LineInput(product_id="p1"), quotes_pb2.LineInput(product_id="p\x00")]
    assert nul_field(quotes_pb2.ReplaceQuoteLinesRequest(lines=lines)) == "lines[1].product_id"
    listed = quotes_pb2.UpdateQuoteRequest(update_mask=["name", "\x00"])
    assert nul_field(listed) == "update_mask[1]"


def test_looks_into_maps_and_structs() -> None:
    custom = struct_pb2.Struct()
    custom.update({"ok": "fine", "nested": {"list": [1, "bad\x00"]}})
    path = "fields.nested.struct_value.fields.list.list_value.values[1].string_value"
    assert nul_field(custom) == path


def test_refusal_is_an_invalid_argument_naming_the_field() -> None:
    with pytest.raises(errors.InvalidArgument) as refused:
        refuse_nul_characters(sales_pb2.ListLeadsRequest(tag="\x00"))
    assert [v.field for v in refused.value.violations] == ["tag"]
