"""CSV export and import helpers shared by every service's list screens.

Export streams: ``export_rows`` yields the header and then batches of lines, so a
100,000-row export never sits in memory. Cells that a spreadsheet would run as a
formula (``=``, ``+``, ``-``, ``@``, tab, carriage return first) get a leading ``'``
(OWASP "CSV injection"); values we format ourselves (numbers, dates) are never
prefixed, so ``-5.00`` stays a number.

Import never raises on bad data: people fix spreadsheets by reading a list of
errors with row numbers, not a stack trace. ``parse_import`` returns the valid rows
and one ``RowError`` per problem; row numbers are those a spreadsheet shows (the
header is row 1).
"""

from __future__ import annotations

import csv
import enum
import io
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from crm_common.errors import CrmError
from crm_common.money import Money

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
LIST_SEPARATOR = ";"
DELIMITERS = (",", ";", "\t")
FILE_ROW = 0  # row number of errors about the whole file
HEADER_ROW = 1
DECIMAL_DIGITS = 18  # largest magnitude parse_decimal accepts, either side of the point

# What a parser may raise for bad input; anything else is a bug and propagates.
PARSE_ERRORS = (ValueError, TypeError, ArithmeticError, CrmError)


def _identity(text: str) -> Any:
    return text


@dataclass(frozen=True)
class Column:
    """One CSV column: ``name`` is the key in row mappings, ``header`` the text users
    see (defaults to ``name``). ``parse`` turns a non-empty cell into a value and
    raises ValueError (or InvalidArgument) for bad input; empty cells become None.
    ``format`` overrides how export writes the value."""

    name: str
    header: str | None = None
    parse: Callable[[str], Any] = _identity
    required: bool = False
    format: Callable[[Any], str] | None = None

    @property
    def label(self) -> str:
        return self.header or self.name


@dataclass(frozen=True)
class RowError:
    row_number: int
    field: str
    message: str


@dataclass
class ImportResult:
    """Valid rows and, parallel to them, their row numbers (to report later domain
    errors such as a duplicate e-mail against the right line)."""

    rows: list[dict[str, Any]] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    row_numbers: list[int] = field(default_factory=list)


# --- export ---


def _format_list(value: Iterable[Any]) -> str:
    return f"{LIST_SEPARATOR} ".join(format_value(item) for item in value)


# First match wins: bool before int-like types, datetime is a date.
_FORMATTERS: tuple[tuple[type | tuple[type, ...], Callable[[Any], str]], ...] = (
    (bool, lambda v: "true" if v else "false"),
    (Decimal, lambda v: format(v, "f")),
    (Money, Money.to_str),
    (date, lambda v: v.isoformat()),
    (enum.Enum, lambda v: format_value(v.value)),
    ((list, tuple, set, frozenset), _format_list),
)


def format_value(value: Any) -> str:
    """Our canonical text for a value: ISO dates, plain decimals (no exponent),
    lower-case booleans, list items joined by ``; ``, None as an empty cell."""
    if value is None:
        return ""
    for kind, formatter in _FORMATTERS:
        if isinstance(value, kind):
            return formatter(value)
    return str(value)


def protect(cell: str) -> str:
    """Neutralise a text cell a spreadsheet would otherwise evaluate."""
    return "'" + cell if cell.startswith(FORMULA_TRIGGERS) else cell


def _cell(column: Column, value: Any) -> str:
    if column.format is not None:
        return protect(column.format(value))
    if isinstance(value, str | list | tuple | set | frozenset):
        return protect(format_value(value))  # user-typed text
    return format_value(value)


def _drain(buffer: io.StringIO) -> str:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text


def export_rows(
    rows: Iterable[Mapping[str, Any]],
    columns: Sequence[Column],
    *,
    chunk_rows: int = 200,
    bom: bool = False,
) -> Iterator[str]:
    """Yield the CSV (RFC 4180, CRLF) in chunks: the header, then up to ``chunk_rows``
    lines per chunk. ``bom`` adds the UTF-8 byte order mark Excel needs to read UTF-8."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([c.label for c in columns])
    yield ("\ufeff" if bom else "") + _drain(buffer)
    for number, row in enumerate(rows, start=1):
        writer.writerow([_cell(c, row.get(c.name)) for c in columns])
        if number % chunk_rows == 0:
            yield _drain(buffer)
    if buffer.tell():
        yield _drain(buffer)


# --- import ---


def _decode(data: str | bytes) -> str:
    if isinstance(data, bytes):
        data = data.decode("utf-8-sig")
    return data.removeprefix("\ufeff")


def sniff_delimiter(text: str) -> str:
    """The delimiter of the header line: whichever of ``, ; TAB`` occurs most
    (Excel in much of Europe writes ``;``). csv.Sniffer guesses wrongly too often on
    short files to be worth it."""
    header = text.split("\n", 1)[0]
    return max(DELIMITERS, key=header.count)


def _unescape(cell: str) -> str:
    """Undo ``protect`` so an exported file imports back to the same values."""
    if cell.startswith("'") and cell[1:].startswith(FORMULA_TRIGGERS):
        return cell[1:]
    return cell


def _match_header(
    header: list[str], columns: Sequence[Column]
) -> tuple[dict[int, Column], list[RowError]]:
    """Map cell positions to columns by header text or name (case-insensitive)."""
    known = {key.casefold(): c for c in columns for key in (c.label, c.name)}
    positions: dict[int, Column] = {}
    errors: list[RowError] = []
    for index, raw in enumerate(header):
        text = raw.strip()
        column = known.get(text.casefold())
        if column is None:
            errors.append(RowError(HEADER_ROW, text, "unknown column"))
        elif column in positions.values():
            errors.append(RowError(HEADER_ROW, column.name, "column appears more than once"))
        else:
            positions[index] = column
    for column in columns:
        if column.required and column not in positions.values():
            errors.append(RowError(HEADER_ROW, column.name, "required column is missing"))
    return positions, errors


def _parse_row(
    row_number: int, cells: list[str], positions: dict[int, Column], width: int
) -> tuple[dict[str, Any], list[RowError]]:
    if len(cells) > width:
        return {}, [RowError(row_number, "", f"has {len(cells)} cells, header has {width}")]
    values: dict[str, Any] = {}
    errors: list[RowError] = []
    for index, column in positions.items():
        text = _unescape(cells[index].strip()) if index < len(cells) else ""
        if not text:
            if column.required:
                errors.append(RowError(row_number, column.name, "is required"))
            values[column.name] = None
            continue
        try:
            values[column.name] = column.parse(text)
        except PARSE_ERRORS as exc:
            errors.append(RowError(row_number, column.name, _message(exc)))
    return values, errors


def _message(exc: Exception) -> str:
    message = getattr(exc, "message", None) or str(exc)
    return message if message else "is not valid"


def _records(text: str) -> Iterator[tuple[int, list[str]]]:
    """(row number, cells) of every non-blank record; csv.Error ends the file."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sniff_delimiter(text))
    for number, cells in enumerate(reader, start=1):
        if any(cell.strip() for cell in cells):
            yield number, cells


def parse_import(
    data: str | bytes, columns: Sequence[Column], *, max_rows: int = 10_000
) -> ImportResult:
    """Parse an uploaded CSV into rows keyed by column name; see the module docstring.
    More than ``max_rows`` data rows is an error reported on the first row too many
    (rows before it are still returned; a caller should not import partially)."""
    result = ImportResult()
    try:
        text = _decode(data)
        if "\x00" in text:  # binary, not text; PostgreSQL could not store it anyway
            result.errors.append(RowError(FILE_ROW, "", "the file contains NUL characters"))
            return result
        records = _records(text)
        first = next(records, None)
        if first is None:
            result.errors.append(RowError(FILE_ROW, "", "the file is empty"))
            return result
        positions, result.errors = _match_header(first[1], columns)
        if _usable(positions, columns, first[0], result.errors):
            _collect(result, records, positions, len(first[1]), max_rows)
    except UnicodeDecodeError:
        result.errors.append(RowError(FILE_ROW, "", "the file is not UTF-8 text"))
    except csv.Error as exc:
        result.errors.append(RowError(FILE_ROW, "", f"not a valid CSV file: {exc}"))
    return result


def _usable(
    positions: dict[int, Column], columns: Sequence[Column], row: int, errors: list[RowError]
) -> bool:
    """Rows are worth reading only if the header names a column and every required
    one: otherwise each row would repeat the header's error."""
    if not positions:
        errors.append(RowError(row, "", "the header row names no known column"))
        return False
    return not any(c.required and c not in positions.values() for c in columns)


def _collect(
    result: ImportResult,
    records: Iterator[tuple[int, list[str]]],
    positions: dict[int, Column],
    width: int,
    max_rows: int,
) -> None:
    for count, (number, cells) in enumerate(records, start=1):
        if count > max_rows:
            result.errors.append(RowError(number, "", f"more than {max_rows} rows"))
            return
        values, errors = _parse_row(number, cells, positions, width)
        if errors:
            result.errors.extend(errors)
        else:
            result.rows.append(values)
            result.row_numbers.append(number)


# --- parsers for Column.parse (each raises ValueError on bad input) ---

_TRUE = {"true", "yes", "y", "1", "x"}
_FALSE = {"false", "no", "n", "0"}


def parse_bool(text: str) -> bool:
    lowered = text.strip().casefold()
    if lowered in _TRUE | _FALSE:
        return lowered in _TRUE
    raise ValueError("must be true or false")


def parse_decimal(text: str) -> Decimal:
    """A plain number; exponents are accepted within range, because a value like
    1E+999999999 is valid Decimal yet takes gigabytes once written out."""
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        raise ValueError("must be a number like 1234.50") from None
    if not value.is_finite():
        raise ValueError("must be a number like 1234.50")
    if value and not -DECIMAL_DIGITS <= value.adjusted() < DECIMAL_DIGITS:
        raise ValueError("is out of range")
    return value


def parse_datetime(text: str) -> datetime:
    """ISO 8601; a time without an offset is taken as UTC, the storage zone."""
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError:
        raise ValueError("must be a date and time like 2026-03-29T14:30:00+02:00") from None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def parse_uuid(text: str) -> uuid.UUID:
    try:
        return uuid.UUID(text.strip())
    except ValueError:
        raise ValueError("must be an id like 0b7c...-...") from None


def parse_list(text: str) -> list[str]:
    return [item.strip() for item in text.split(LIST_SEPARATOR) if item.strip()]
