"""ExportMigrationResults in the domain: every item as CSV, streamed in chunks.

Text cells a spreadsheet would read as a formula are prefixed with a single quote: rejected rows
keep whatever the uploader wrote, and an operator opening the export must not run it. A cell is
a formula when it starts with tab or CR, or when, after its leading whitespace and invisible
characters (NBSP, BOM, zero-width and other format characters) are skipped, its first character
is ``=``, ``+``, ``-`` or ``@`` in any width (spreadsheets skip those characters and read the
full-width forms U+FF1D, U+FF0B, U+FF0D, U+FF20 as the ASCII ones). Numeric columns are
written as plain numbers: ``-1`` stays ``-1``.
"""

from __future__ import annotations

import csv
import io
import unicodedata
import uuid
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, Row

from subshift.api.queries import iter_items
from subshift.db.models import ItemOutcome

__all__ = ["EXPORT_COLUMNS", "export_results", "export_row", "neutralise"]

EXPORT_COLUMNS = (
    "row_number", "user_id", "current_offer", "target_offer", "outcome", "reason", "column", "event_id",
    "kafka_partition", "kafka_offset", "published_at", "outcome_at", "previous_offer",
)
_FORMULA_STARTS = frozenset("=+-@")
_CONTROL_STARTS = ("\t", "\r")
# Columns whose values are numbers or timestamps written by the server, never text from an upload.
_NUMERIC_COLUMNS = frozenset({"row_number", "kafka_partition", "kafka_offset", "published_at", "outcome_at"})


def _invisible(char: str) -> bool:
    # Cf: BOM, zero-width space/joiners, word joiner, bidi marks; isspace: NBSP, ideographic space, ...
    return char.isspace() or unicodedata.category(char) in ("Cf", "Cc", "Zs")


def _looks_like_formula(cell: str) -> bool:
    if cell.startswith(_CONTROL_STARTS):
        return True
    for char in cell:
        if _invisible(char):
            continue
        # NFKC folds the full-width and small forms (U+FF1D, the small U+FE66, ...) to their ASCII letters.
        return unicodedata.normalize("NFKC", char)[:1] in _FORMULA_STARTS
    return False


def neutralise(cell: str) -> str:
    """``cell`` made inert for spreadsheets (for text columns; see the module docstring)."""
    return "'" + cell if _looks_like_formula(cell) else cell


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


def export_row(item: Row[Any] | Any) -> list[str]:
    """One item as the export's cells, in ``EXPORT_COLUMNS`` order: text neutralised, numbers as they are."""
    values = (item.row_number, item.user_id, item.current_offer, item.target_offer, item.outcome, item.reason,
              item.column_name, item.event_id, item.kafka_partition, item.kafka_offset, item.published_at,
              item.outcome_at, item.previous_offer)
    return [_text(value) if column in _NUMERIC_COLUMNS else neutralise(_text(value))
            for column, value in zip(EXPORT_COLUMNS, values, strict=True)]


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
            writer.writerow(export_row(item))
            if buffer.tell() >= chunk_bytes:
                yield buffer.getvalue().encode()
                buffer.seek(0)
                buffer.truncate()
    yield buffer.getvalue().encode()
