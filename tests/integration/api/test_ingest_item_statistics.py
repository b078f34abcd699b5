"""A large upload leaves statistics that count its items as pending, before it commits."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import psycopg2
import pytest

from subshift.api.statistics import MIN_ROWS, refresh_item_statistics
from subshift.config import DatabaseSettings
from subshift.lifecycle.storage import attach_items_table, create_items_table, items_table


@dataclass(frozen=True)
class Upload:
    connection: Any
    migration_id: uuid.UUID


@pytest.fixture
def upload_transaction(ingest_database: DatabaseSettings) -> Iterator[Upload]:
    """A transaction that has staged ``MIN_ROWS`` pending items, rolled back at the end."""
    connection = psycopg2.connect(ingest_database.libpq_dsn())
    try:
        with connection.cursor() as cur:
            migration_id = uuid.uuid4()
            cur.execute("INSERT INTO migrations (id, content_sha256, state, created_by) "
                        "VALUES (%s, %s, 'pending', 't')", (str(migration_id), uuid.uuid4().hex))
            table = create_items_table(cur, migration_id)  # as an upload stages, before it attaches the table
            cur.execute(
                f"INSERT INTO {table} (migration_id, row_number, user_id, current_offer, target_offer) "  # noqa: S608
                "SELECT %s, n, 'stats-' || n, 'basic', 'gold' FROM generate_series(2, %s) AS n",
                (str(migration_id), MIN_ROWS + 1),
            )
            attach_items_table(cur, migration_id)
        yield Upload(connection, migration_id)
    finally:
        connection.rollback()
        connection.close()


def _pending_share(cursor: Any, migration_id: uuid.UUID) -> float:
    cursor.execute(
        "SELECT most_common_vals::text::text[], most_common_freqs FROM pg_stats "
        "WHERE tablename = %s AND attname = 'outcome'", (items_table(migration_id),)
    )
    row = cursor.fetchone()
    if row is None or row[0] is None:
        return 0.0
    values, shares = row
    return float(dict(zip(values, shares, strict=True)).get("pending", 0.0))


def test_the_statistics_count_the_uploads_items_as_pending(upload_transaction: Upload) -> None:
    with upload_transaction.connection.cursor() as cur:
        assert refresh_item_statistics(cur, upload_transaction.migration_id, MIN_ROWS)
        assert _pending_share(cur, upload_transaction.migration_id) > 0.5
