"""The planner's picture of ``migration_items`` after a large upload.

The consumer joins each batch to its items by key and keeps those still pending. PostgreSQL plans
that join from the table's statistics, and until autovacuum analyses the table after an upload (a
minute or more later) they predate it; on a new database there are none. The planner then believes
almost no item is pending and has joined each 5,000-row batch to a hashed sequential scan of every
item, several times slower per round than look-ups by key (docs/performance/analyse-after-large-upload.md).

So an upload that is large next to what the statistics describe analyses the columns that join
reads, in its own transaction just before it commits (``ANALYZE`` counts the transaction's own new
rows): from the moment the relay can publish the items, the statistics count them as pending. Each
migration's items are a partition of their own (``subshift.lifecycle.storage``), new with the upload
and never analysed, so a large upload analyses its partition alone. No other transaction can see
that table before the upload commits, so no ``VACUUM`` or other analysis can hold the analysis up.
"""

from __future__ import annotations

import uuid
from typing import Any

from subshift.lifecycle import items_table
from subshift.observability.logs import get_logger

__all__ = ["MIN_ROWS", "needs_analysis", "refresh_item_statistics"]

MIN_ROWS = 10_000  # below this, a batch's join is cheap whatever the plan
_SHARE = 0.1  # autovacuum's default scale factor for analysing: a tenth of the table changed

_log = get_logger(__name__)


def needs_analysis(staged: int, described: float) -> bool:
    """Whether ``staged`` new items outgrow statistics that describe ``described`` rows (negative: none yet)."""
    return staged >= MIN_ROWS and (described <= 0 or staged >= described * _SHARE)


def refresh_item_statistics(cursor: Any, migration_id: uuid.UUID, staged: int) -> bool:
    """Analyse ``migration_id``'s items in the caller's transaction when ``needs_analysis``; True if it did."""
    table = items_table(migration_id)
    cursor.execute("SELECT reltuples FROM pg_class WHERE oid = %s::regclass", (table,))
    (described,) = cursor.fetchone()
    if not needs_analysis(staged, float(described)):
        return False
    cursor.execute(f"ANALYZE {table} (migration_id, row_number, outcome)")
    _log.debug("item_statistics_refreshed", migration_id=str(migration_id), staged=staged)
    return True
