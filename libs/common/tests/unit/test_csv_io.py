from __future__ import annotations

import csv
import enum
import io
import uuid
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest

from crm_common.csv_io import (
    Column,
    RowError,
    export_rows,
    format_value,
    parse_bool,
    parse_datetime,
    parse_decimal,
    parse_import,
    parse_list,
    parse_uuid,
    protect,
    sniff_delimiter,
)
from crm_common.money import Money


class Stage(enum.Enum):
    NEW = "new"


COLUMNS = [
    Column("email", "E-mail", required=True),
    Column("score", "Score", parse=parse_decimal),
    Column("active", "Active", parse=parse_bool),
    Column("tags", "Tags", parse=parse_list),
]


def export_text(rows: list[dict[str, Any]], columns: list[Column], **kwargs: Any) -> str:
    return "".join(export_rows(rows, columns, **kwargs))


def cells_of(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


# --- export ---


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, ""),
        (True, "true"),
        (False, "false"),
        (Decimal("1E+3"), "1000"),
        (Decimal("12.50"), "12.50"),
        (Money("3.5", "EUR"), "3.50"),
        (datetime(2026, 3, 29, 14, 30, tzinfo=UTC), "2026-03-29T14:30:00+00:00"),
        (date(2026, 3, 29), "2026-03-29"),
        (uuid.UUID(int=1), "00000000-0000-0000-0000-000000000001"),
        (["a", "b", 3], "a; b; 3"),
        ((), ""),
        (Stage.NEW, "new"),
        (7, "7"),
    ],
)
def test_format_value(value: Any, text: str) -> None:
    assert format_value(value) == text


def test_export_writes_header_and_rows_with_crlf() -> None:
    rows = [{"email": "a@x.io", "score": Decimal("1.5"), "active": True, "tags": ["vip", "eu"]}]
    text = export_text(rows, COLUMNS)
    assert text == "E-mail,Score,Active,Tags\r\na@x.io,1.5,true,vip; eu\r\n"


def test_export_quotes_delimiters_quotes_and_newlines() -> None:
    rows = [{"email": 'say "hi", then\nleave'}]
    text = export_text(rows, [Column("email")])
    assert cells_of(text) == [["email"], ['say "hi", then\nleave']]


def test_export_missing_keys_are_empty_cells() -> None:
    assert export_text([{}], COLUMNS).endswith("\r\n,,,\r\n")


@pytest.mark.parametrize("cell", ["=1+2", "+31 20 123", "-2", "@SUM(A1)", "\tx", "\rx"])
def test_formula_triggers_in_text_are_prefixed(cell: str) -> None:
    assert protect(cell) == "'" + cell
    text = export_text([{"name": cell}], [Column("name")])
    assert cells_of(text)[1] == ["'" + cell]


def test_own_formatted_values_are_not_prefixed() -> None:
    row = {"n": Decimal("-5.00"), "m": Money("-1", "EUR"), "i": -3}
    columns = [Column("n"), Column("m"), Column("i")]
    assert cells_of(export_text([row], columns))[1] == ["-5.00", "-1.00", "-3"]


def test_list_of_text_and_custom_format_are_protected() -> None:
    columns = [Column("tags"), Column("x", format=lambda v: f"={v}")]
    assert cells_of(export_text([{"tags": ["=cmd"], "x": 1}], columns))[1] == ["'=cmd", "'=1"]


def test_export_streams_in_chunks_of_whole_lines() -> None:
    rows = ({"email": f"u{n}@x.io"} for n in range(5))
    chunks = list(export_rows(rows, [Column("email")], chunk_rows=2))
    assert chunks[0] == "email\r\n"
    assert [chunk.count("\r\n") for chunk in chunks[1:]] == [2, 2, 1]
    assert all(chunk.endswith("\r\n") for chunk in chunks)


def test_export_of_nothing_is_the_header_and_bom_is_optional() -> None:
    assert list(export_rows([], COLUMNS[:1])) == ["E-mail\r\n"]
    assert list(export_rows([], COLUMNS[:1], bom=True)) == ["\ufeffE-mail\r\n"]


# --- import ---


def test_import_parses_rows_by_header_text_or_name() -> None:
    text = "E-mail,score,ACTIVE,Tags\na@x.io,1.50,yes,vip; eu\nb@x.io,,no,\n"
    result = parse_import(text, COLUMNS)
    assert result.errors == []
    assert result.rows == [
        {"email": "a@x.io", "score": Decimal("1.50"), "active": True, "tags": ["vip", "eu"]},
        {"email": "b@x.io", "score": None, "active": False, "tags": None},
    ]
    assert result.row_numbers == [2, 3]


def test_import_utf8_bom_bytes_and_semicolons() -> None:
    data = "\ufeffE-mail;Score\r\nzoë@x.io;2,5\r\nänne@x.io;3\r\n".encode()
    result = parse_import(data, COLUMNS)
    assert [r["email"] for r in result.rows] == ["änne@x.io"]
    assert result.errors == [RowError(2, "score", "must be a number like 1234.50")]


def test_import_str_with_bom_and_tabs() -> None:
    result = parse_import("\ufeffE-mail\tScore\na@x.io\t1\n", COLUMNS)
    assert result.rows == [{"email": "a@x.io", "score": Decimal(1)}]


def test_import_collects_every_field_error_and_keeps_good_rows() -> None:
    text = "E-mail,Score,Active\n,abc,maybe\nok@x.io,2,true\nbad@x.io,1e999999999999,maybe\n"
    result = parse_import(text, COLUMNS)
    assert result.rows == [{"email": "ok@x.io", "score": Decimal(2), "active": True}]
    assert result.row_numbers == [3]
    assert [(e.row_number, e.field) for e in result.errors] == [
        (2, "email"),
        (2, "score"),
        (2, "active"),
        (4, "score"),
        (4, "active"),
    ]
    assert result.errors[0].message == "is required"


def test_import_reports_unknown_and_duplicate_headers_but_reads_the_rest() -> None:
    result = parse_import("E-mail,Owner,email\na@x.io,bob,b@x.io\n", COLUMNS)
    assert result.rows == [{"email": "a@x.io"}]
    assert result.errors == [
        RowError(1, "Owner", "unknown column"),
        RowError(1, "email", "column appears more than once"),
    ]


def test_import_missing_required_column_reads_no_rows() -> None:
    result = parse_import("Score\n1\n2\n", COLUMNS)
    assert result.rows == []
    assert result.errors == [RowError(1, "email", "required column is missing")]


def test_import_header_without_known_columns() -> None:
    result = parse_import("a,b\n1,2\n", [Column("x")])
    assert result.rows == []
    assert result.errors[-1] == RowError(1, "", "the header row names no known column")


@pytest.mark.parametrize("data", ["", b"", "\n\n", "\ufeff"])
def test_import_empty_file(data: str | bytes) -> None:
    result = parse_import(data, COLUMNS)
    assert result.rows == []
    assert result.errors == [RowError(0, "", "the file is empty")]


def test_import_not_utf8_is_an_error_not_an_exception() -> None:
    result = parse_import("E-mail\nzoë@x.io\n".encode("latin-1"), COLUMNS)
    assert result.errors == [RowError(0, "", "the file is not UTF-8 text")]


def test_import_too_many_cells_and_short_rows() -> None:
    result = parse_import("E-mail,Score\na@x.io,1,extra\nb@x.io\n", COLUMNS)
    assert result.rows == [{"email": "b@x.io", "score": None}]
    assert result.errors == [RowError(2, "", "has 3 cells, header has 2")]


def test_import_skips_blank_lines_and_counts_rows_like_a_spreadsheet() -> None:
    result = parse_import('E-mail,Tags\n\n"a@x.io","multi\nline"\n,\nb@x.io,\n', COLUMNS)
    assert [r["email"] for r in result.rows] == ["a@x.io", "b@x.io"]
    assert result.row_numbers == [3, 5]


def test_import_stops_after_max_rows() -> None:
    text = "E-mail\n" + "".join(f"u{n}@x.io\n" for n in range(5))
    result = parse_import(text, COLUMNS, max_rows=3)
    assert len(result.rows) == 3
    assert result.errors == [RowError(5, "", "more than 3 rows")]


def test_import_oversized_cell_is_reported() -> None:
    text = "E-mail\n" + '"' + "x" * 200_000 + '"\n'
    result = parse_import(text, COLUMNS)
    assert result.rows == []
    assert result.errors[0].row_number == 0
    assert "not a valid CSV file" in result.errors[0].message


def test_parser_raising_invalid_argument_is_collected() -> None:
    columns = [Column("price", parse=lambda text: Money.parse(text, "EUR"))]
    result = parse_import("price\n1.5x\n2.50\n", columns)
    assert result.rows == [{"price": Money("2.50", "EUR")}]
    assert result.errors == [RowError(2, "price", "amount: must be a decimal number like 1234.50")]


def test_parser_bugs_are_not_swallowed() -> None:
    def broken(text: str) -> Any:
        raise KeyError(text)

    with pytest.raises(KeyError):
        parse_import("x\n1\n", [Column("x", parse=broken)])


def test_export_then_import_round_trips() -> None:
    columns = [
        Column("id", parse=parse_uuid),
        Column("name"),
        Column("phone"),
        Column("amount", parse=parse_decimal),
        Column("at", parse=parse_datetime),
        Column("flag", parse=parse_bool),
        Column("tags", parse=parse_list),
    ]
    rows: list[dict[str, Any]] = [
        {
            "id": uuid.uuid4(),
            "name": '=HYPERLINK("x"); Zoë, "the" boss',
            "phone": "+31 20 555",
            "amount": Decimal("-1234.50"),
            "at": datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC),
            "flag": False,
            "tags": ["a", "b c"],
        }
    ]
    exported = export_text(rows, columns, bom=True).encode()
    result = parse_import(exported, columns)
    assert result.errors == []
    assert result.rows == rows


# --- parsers ---


def test_parse_helpers() -> None:
    assert parse_bool(" Yes ") is True
    assert parse_bool("0") is False
    assert parse_decimal("1e2") == Decimal(100)
    assert parse_decimal("0") == Decimal(0)
    assert parse_decimal("-999999999999999999.5") == Decimal("-999999999999999999.5")
    assert parse_datetime("2026-03-29 10:00") == datetime(2026, 3, 29, 10, tzinfo=UTC)
    plus2 = timezone(timedelta(hours=2))
    assert parse_datetime("2026-03-29T10:00+02:00") == datetime(2026, 3, 29, 10, tzinfo=plus2)
    assert parse_list("a;; b ;") == ["a", "b"]
    for parser, bad in [
        (parse_bool, "maybe"),
        (parse_decimal, "NaN"),
        (parse_decimal, "1,5"),
        (parse_decimal, "1e19"),
        (parse_decimal, "1e-19"),
        (parse_datetime, "yesterday"),
        (parse_uuid, "nope"),
    ]:
        with pytest.raises(ValueError):
            parser(bad)


@pytest.mark.parametrize(
    ("header", "delimiter"),
    [("a,b,c", ","), ("a;b;c", ";"), ("a\tb", "\t"), ("a", ","), ('"x;y",b,c', ",")],
)
def test_sniff_delimiter(header: str, delimiter: str) -> None:
    assert sniff_delimiter(header + "\n1;2\n") == delimiter
