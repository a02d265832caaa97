from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from crm_common.errors import InvalidArgument
from crm_common.pagination import DEFAULT_LIMIT, clamp_limit, decode_cursor, encode_cursor


def test_cursor_round_trips_datetimes_and_uuids() -> None:
    values = (datetime(2026, 3, 29, 1, 30, tzinfo=UTC), uuid.uuid4(), 7)
    assert decode_cursor(encode_cursor(values), 3) == values


@pytest.mark.parametrize("cursor", ["", "!!!", "bm90LWpzb24", encode_cursor([1])])
def test_bad_cursor_is_a_field_error(cursor: str) -> None:
    with pytest.raises(InvalidArgument) as info:
        decode_cursor(cursor, 2)
    assert info.value.violations[0].field == "cursor"


def test_limit_defaults_and_bounds() -> None:
    assert clamp_limit(0) == DEFAULT_LIMIT
    assert clamp_limit(200) == 200
    for bad in (-1, 201):
        with pytest.raises(InvalidArgument):
            clamp_limit(bad)
