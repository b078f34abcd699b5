"""ExportMigrationResults in the domain: every item as CSV, streamed in chunks.

Cells a spreadsheet would read as a formula (starting with ``=``, ``+``, ``-``, ``@``, tab or
CR) are prefixed with a single quote: rejected rows keep whatever the uploader wrote, and an
operator opening the export must not run it.
"""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, Row

from subshift.db.models import ItemOutcome
from subshift.ingest.queries import iter_items

__all__ = ["EXPORT_COLUMNS", "export_results", "neutralise"]

EXPORT_COLUMNS = (
    "row_number", "user_id", "current_offer", "target_offer", "outcome", "reason", "column", "event_id",
    "kafka_partition", "kafka_offset", "published_at", "outcome_at", "previous_offer",
)
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(cell: str) -> str:
    """``cell`` made inert for spreadsheets."""
    return "'" + cell if cell.startswith(_FORMULA_STARTS) else cell


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


def _row(item: Row[Any]) -> list[str]:
    values = (item.row_number, item.user_id, item.current_offer, item.target_offer, item.outcome, item.reason,
              item.column_name, item.event_id, item.kafka_partition, item.kafka_offset, item.published_at,
              item.outcome_at, item.previous_offer)
    return [neutralise(_text(value)) for value in values]


def export_results(engine: Engine, migration_id: uuid.UUID, *, outcome: ItemOutcome | None,
                   chunk_bytes: int = 64 * 1024) -> Iterator[bytes]:
    """The results CSV (UTF-8, header first) in chunks of about ``chunk_bytes``.

    Raises:
        NotFoundError: no such migration.
        InfrastructureError: the database failed.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(EXPORT_COLUMNS)
    batches = iter_items(engine, migration_id, outcome=outcome)
    for batch in batches:
        for item in batch:
            writer.writerow(_row(item))
            if buffer.tell() >= chunk_bytes:
                yield buffer.getvalue().encode()
                buffer.seek(0)
                buffer.truncate()
    yield buffer.getvalue().encode()
