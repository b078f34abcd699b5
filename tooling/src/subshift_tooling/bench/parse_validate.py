"""Stage floor: the API's CSV reader and row checks alone, in this process, on the bench's CSV.

What ``CreateMigration`` does to every row before ``COPY`` sees it (decode, split, RFC 4180
parse, header, user id pattern, catalog look-ups), without gRPC or PostgreSQL, so the
number isolates our parsing code from the transport and the database.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from subshift.api.csv_reader import CsvLimits, open_csv
from subshift.api.staging import load_catalog
from subshift.api.validation import RowChecker
from subshift.config import DatabaseSettings, IngestSettings
from subshift.db.connect import connect

__all__ = ["ParseValidate", "parse_validate"]

_CHUNK = 256 * 1024  # what the client library sends per message


@dataclass(frozen=True)
class ParseValidate:
    rows: int
    valid: int
    seconds: float

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds > 0 else 0.0


def _chunks(path: Path) -> Iterator[bytes]:
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            yield chunk


def parse_validate(database: DatabaseSettings, ingest: IngestSettings, csv_path: Path) -> ParseValidate:
    """Read and check every row of ``csv_path`` the way an upload is read and checked."""
    conn = connect(database, application_name="subshift-bench")
    try:
        with conn.cursor() as cur:
            catalog = load_catalog(cur)
        conn.rollback()
    finally:
        conn.close()
    limits = CsvLimits(ingest.max_rows, ingest.max_line_chars, ingest.max_field_chars)
    started = time.perf_counter()
    records = open_csv(_chunks(csv_path), limits)
    check = RowChecker(records.header, catalog, ingest.user_id_pattern).check
    valid = 0
    for row, fields in records:
        if check(row, fields) is None:
            valid += 1
    return ParseValidate(rows=records.rows_read, valid=valid, seconds=time.perf_counter() - started)
