"""Streaming CSV reader: byte chunks in, numbered records out; the file is never held whole.

Data flow, one chunk at a time:

1. bytes → an incremental UTF-8 decoder (``utf-8-sig``: a leading BOM is dropped);
2. text → physical lines, split on LF only with the LF kept, so a quoted newline that straddles
   a chunk boundary reaches the csv module intact (``str.splitlines`` would also split on form
   feeds and other separators that are ordinary characters in a CSV field);
3. lines → Python's C ``csv`` reader in strict RFC 4180 mode (quotes, doubled quotes, CRLF);
4. records → ``(row_number, fields)``; row 1 is the header, blank lines are skipped but counted,
   so row numbers are the record numbers a spreadsheet shows.

Everything that makes the file unreadable (invalid UTF-8, a NUL byte, an unterminated quote,
a line or field over its limit, too many rows, a bad header) raises ``DataError`` naming the row.
Per-row content checks are not done here (see ``validation``).
"""

from __future__ import annotations

import codecs
import csv
import itertools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from subshift.errors import DataError

__all__ = ["REQUIRED_COLUMNS", "CsvLimits", "CsvRecords", "Header", "open_csv"]

REQUIRED_COLUMNS = ("user_id", "current_offer", "target_offer")

_HEADER_HINT = "The first row must name the columns user_id,current_offer,target_offer (in any order)."


@dataclass(frozen=True, slots=True)
class CsvLimits:
    """What an upload may not exceed; each breach refuses the whole upload."""

    max_rows: int
    max_line_chars: int
    max_field_chars: int
    max_upload_bytes: int | None = None  # None: no cap on the file's size


@dataclass(frozen=True, slots=True)
class Header:
    """Where each required column sits in a record."""

    names: tuple[str, ...]
    user_id: int
    current_offer: int
    target_offer: int


class _Unreadable(Exception):
    """Raised by the line source; the record loop turns it into a ``DataError`` with the row."""

    def __init__(self, message: str, rule: str) -> None:
        super().__init__(message)
        self.message = message
        self.rule = rule


def _split(text: str) -> list[str]:
    """Complete lines of ``text`` (LF kept) followed by the trailing partial line (maybe empty)."""
    parts = text.split("\n")
    last = parts.pop()
    lines = [part + "\n" for part in parts]
    lines.append(last)
    return lines


def _line_batches(chunks: Iterable[bytes], limits: CsvLimits) -> Iterator[list[str]]:
    decoder = codecs.getincrementaldecoder("utf-8-sig")("strict")
    pending = ""
    seen_text = False
    max_line = limits.max_line_chars
    max_bytes = limits.max_upload_bytes
    received = 0
    source = itertools.chain(chunks, [None])  # None marks the end, so the decoder can be finalised
    for chunk in source:
        problem: _Unreadable | None = None
        if chunk is not None and max_bytes is not None:
            received += len(chunk)
            if received > max_bytes:
                raise _Unreadable(f"the upload is larger than {max_bytes} bytes (ingest.max_upload_bytes); "
                                  "split it into several uploads", "upload_too_large")
        try:
            text = decoder.decode(b"", final=True) if chunk is None else decoder.decode(chunk)
        except UnicodeDecodeError as error:
            # Emit the good prefix first, so the error lands on the record that holds the bad byte.
            text = error.object[: error.start].decode("utf-8")
            if not pending and text.startswith("\ufeff") and not seen_text:
                text = text[1:]  # the BOM the utf-8-sig decoder would have dropped
            problem = _Unreadable(
                f"the file is not valid UTF-8 (byte 0x{error.object[error.start]:02x} cannot start or continue "
                "a character); save it as UTF-8",
                "encoding",
            )
        seen_text = seen_text or bool(text)
        if "\x00" in text:
            text = text[: text.index("\x00")]
            problem = _Unreadable("the file contains a NUL byte; CSV text cannot hold one", "nul_byte")
        lines = _split(pending + text)
        pending = lines.pop()
        if lines and max(map(len, lines)) > max_line:
            keep = next(i for i, line in enumerate(lines) if len(line) > max_line)
            yield lines[:keep]
            raise _Unreadable(f"a line is longer than {max_line} characters", "line_too_long")
        if lines:
            yield lines
        if len(pending) > max_line:
            raise _Unreadable(f"a line is longer than {max_line} characters", "line_too_long")
        if problem is not None:
            raise problem
    if pending:
        yield [pending]


def _csv_message(error: csv.Error, limits: CsvLimits) -> tuple[str, str]:
    text = str(error)
    if "unexpected end of data" in text:
        return "a quoted field is not closed before the end of the file", "unterminated_quote"
    if "expected after" in text:
        return "a closing quote must be followed by a comma or the end of the line", "bad_quote"
    if "field larger than field limit" in text:
        return f"a field is longer than {limits.max_field_chars} characters", "field_too_long"
    if "new-line character seen in unquoted field" in text:
        return "a bare carriage return inside an unquoted field; quote the field or end lines with LF or CRLF", (
            "bad_line_end"
        )
    return f"malformed CSV ({text})", "malformed"


def _header(fields: list[str]) -> Header:
    names = tuple(fields)
    unknown = [name for name in names if name not in REQUIRED_COLUMNS]
    missing = [name for name in REQUIRED_COLUMNS if name not in names]
    duplicate = sorted({name for name in names if names.count(name) > 1})
    problems = [
        f"{label} column{'s' if len(found) > 1 else ''} {', '.join(repr(name) for name in found)}"
        for label, found in (("unknown", unknown), ("missing", missing), ("duplicate", duplicate))
        if found
    ]
    if problems:
        raise DataError(f"row 1: {'; '.join(problems)}. {_HEADER_HINT}", row=1, column="", rule="header")
    return Header(names, names.index("user_id"), names.index("current_offer"), names.index("target_offer"))


class CsvRecords:
    """The records of one upload after its header; iterate once for ``(row_number, fields)``."""

    def __init__(self, header: Header, reader: Iterator[list[str]], limits: CsvLimits) -> None:
        self.header = header
        self._reader = reader
        self._limits = limits
        self.rows_read = 0  # data rows yielded so far (blank lines excluded)

    def __iter__(self) -> Iterator[tuple[int, list[str]]]:
        row = 1
        received = 0
        max_rows = self._limits.max_rows
        try:
            for fields in self._reader:
                row += 1
                if not fields:
                    continue
                received += 1
                if received > max_rows:
                    raise DataError(
                        f"row {row}: the file has more than {max_rows} data rows; split it into several uploads",
                        row=row, rule="too_many_rows",
                    )
                self.rows_read = received
                yield row, fields
        except _Unreadable as problem:
            raise DataError(f"row {row + 1}: {problem.message}", row=row + 1, rule=problem.rule) from None
        except csv.Error as error:
            message, rule = _csv_message(error, self._limits)
            raise DataError(f"row {row + 1}: {message}", row=row + 1, rule=rule) from None


def open_csv(chunks: Iterable[bytes], limits: CsvLimits) -> CsvRecords:
    """Read the header of a CSV upload and return its remaining records, lazily.

    The csv module's field size limit is process-wide; it is set here, deliberately, to
    ``limits.max_field_chars`` (every upload in a process shares the same settings).

    Raises:
        DataError: the file is empty, unreadable before its first data row, or its header
            does not name exactly the columns user_id, current_offer and target_offer.
    """
    csv.field_size_limit(limits.max_field_chars)
    reader = csv.reader(itertools.chain.from_iterable(_line_batches(chunks, limits)), strict=True)
    try:
        first = next(reader, None)
    except _Unreadable as problem:
        raise DataError(f"row 1: {problem.message}", row=1, rule=problem.rule) from None
    except csv.Error as error:
        message, rule = _csv_message(error, limits)
        raise DataError(f"row 1: {message}", row=1, rule=rule) from None
    if not first:
        raise DataError(f"the file is empty or starts with a blank line. {_HEADER_HINT}", row=1, rule="header")
    return CsvRecords(_header(first), reader, limits)
