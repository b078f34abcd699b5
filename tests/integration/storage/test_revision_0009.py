"""Revision 0009 on a database holding data at 0008: every item lands in its migration's partition, with
the same columns, defaults, check and key; the downgrade puts them back in one table."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import psycopg2
import pytest

from subshift.config import DatabaseSettings, Settings
from subshift.db.connect import PgConnection, connect
from subshift.db.upgrade import downgrade, upgrade
from subshift.lifecycle.storage import items_table
from tests.integration.scratch_db import scratch_database

_RUNNING, _FINISHED, _REJECTED = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()


@pytest.fixture
def at_0008(settings: Settings) -> Iterator[DatabaseSettings]:
    """A database at revision 0008 with a running, a finished and a rejected migration, and their items."""
    with scratch_database(settings, "subshift_rev0009", migrate=False) as database:
        upgrade(database, "0008")
        conn = connect(database, application_name="revision-test")
        with conn, conn.cursor() as cur:
            for migration_id, state in ((_RUNNING, "applying"), (_FINISHED, "succeeded"), (_REJECTED, "rejected")):
                cur.execute("INSERT INTO migrations (id, content_sha256, state, created_by, staged) "
                            "VALUES (%s, 'x', %s, 'test', 3)", (str(migration_id), state))
            for migration_id, outcome in ((_RUNNING, "pending"), (_FINISHED, "applied")):
                cur.execute("INSERT INTO migration_items (migration_id, row_number, user_id, current_offer, "
                            "target_offer, outcome, trace_parent) SELECT %s, n, 'u' || n, 'basic', 'gold', %s, "
                            "'00-trace' FROM generate_series(2, 4) AS n", (str(migration_id), outcome))
        conn.close()
        yield database


def _rows(conn: PgConnection, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    with conn.cursor() as cur:
        cur.execute(sql, params)
        found = list(cur.fetchall())
    conn.rollback()
    return found


_ITEMS = ("SELECT migration_id::text, row_number, user_id, outcome, trace_parent, event_id IS NOT NULL "
          "FROM migration_items ORDER BY 1, 2")


def test_the_upgrade_moves_every_item_into_its_migrations_partition(at_0008: DatabaseSettings) -> None:
    conn = connect(at_0008, application_name="revision-test")
    try:
        before = _rows(conn, _ITEMS)
        upgrade(at_0008)
        assert _rows(conn, _ITEMS) == before
        assert _rows(conn, "SELECT relkind FROM pg_class WHERE relname = 'migration_items'") == [("p",)]
        partitions = _rows(conn, "SELECT c.relname, c.reloptions FROM pg_inherits i JOIN pg_class c ON c.oid = "
                                 "i.inhrelid WHERE i.inhparent = 'migration_items'::regclass ORDER BY 1")
        assert partitions == sorted((items_table(m), ["fillfactor=50"]) for m in (_RUNNING, _FINISHED))
        for migration_id in (_RUNNING, _FINISHED):
            assert _rows(conn, f"SELECT count(*) FROM {items_table(migration_id)}") == [(3,)]  # noqa: S608
        assert [row[0] for row in _rows(conn, "SELECT indexdef FROM pg_indexes WHERE tablename = 'migration_items' "
                                              "ORDER BY 1")] == [
            "CREATE UNIQUE INDEX pk_migration_items ON ONLY public.migration_items USING btree (migration_id, "
            "row_number)"]
        # A finished migration's items are indexed by outcome; a running one's are not (its updates stay HOT).
        indexes = "SELECT indexname FROM pg_indexes WHERE tablename = %s AND indexname LIKE '%%outcome'"
        assert _rows(conn, indexes, items_table(_FINISHED)) == [(f"{items_table(_FINISHED)}_outcome",)]
        assert _rows(conn, indexes, items_table(_RUNNING)) == []
        assert _rows(conn, "SELECT count(*) FROM migrations WHERE items_purged_at IS NULL") == [(3,)]
        with conn.cursor() as cur:  # the event id default (revision 0002) and the outcome check hold
            cur.execute("INSERT INTO migration_items (migration_id, row_number, user_id, current_offer, target_offer) "
                        "VALUES (%s, 5, 'u5', 'basic', 'gold') RETURNING event_id IS NOT NULL, outcome",
                        (str(_RUNNING),))
            assert cur.fetchone() == (True, "pending")
            with pytest.raises(psycopg2.errors.CheckViolation):
                cur.execute("INSERT INTO migration_items (migration_id, row_number, user_id, current_offer, "
                            "target_offer, outcome) VALUES (%s, 6, 'u6', 'basic', 'gold', 'lost')", (str(_RUNNING),))
        conn.rollback()
        with conn.cursor() as cur, pytest.raises(psycopg2.errors.UniqueViolation):
            cur.execute("INSERT INTO migration_items (migration_id, row_number, user_id, current_offer, target_offer) "
                        "VALUES (%s, 2, 'again', 'basic', 'gold')", (str(_FINISHED),))
        conn.rollback()
    finally:
        conn.close()


def test_the_downgrade_puts_the_items_back_in_one_table(at_0008: DatabaseSettings) -> None:
    conn = connect(at_0008, application_name="revision-test")
    try:
        before = _rows(conn, _ITEMS)
        upgrade(at_0008)
        downgrade(at_0008, "0008")
        assert _rows(conn, _ITEMS) == before
        assert _rows(conn, "SELECT relkind, reloptions FROM pg_class WHERE relname = 'migration_items'") == [
            ("r", ["fillfactor=50"])]
        assert _rows(conn, "SELECT count(*) FROM pg_class WHERE relname LIKE 'migration_items\\_%%'") == [(0,)]
        assert _rows(conn, "SELECT count(*) FROM information_schema.columns WHERE table_name = 'migrations' "
                           "AND column_name = 'items_purged_at'") == [(0,)]
    finally:
        conn.close()
