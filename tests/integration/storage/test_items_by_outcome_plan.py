"""A page of a migration's items by outcome reads a bounded part of its partition, whatever its size.

A finished migration's page is read by index. The plans are PostgreSQL's own (``EXPLAIN`` of the
statement ``ListMigrationItems`` runs): one partition, an index scan of its outcome index, no
sequential scan and no walk of its primary key. The index is built by the writer that finishes the
migration; a running migration has none, and one call walks at most ``SCAN_ROWS`` rows of its primary
key, a page ending early with a token where that span ends.
"""

from __future__ import annotations

import json
import uuid
from collections import Counter
from typing import Any

import pytest
from sqlalchemy.dialects import postgresql

from storage.items import seed_migration
from subshift.api import queries
from subshift.api.queries import SCAN_ROWS, items_page_query
from subshift.config import DatabaseSettings
from subshift.db.connect import PgConnection, connect
from subshift.db.engine import make_engine
from subshift.db.models import ItemOutcome, MigrationState
from subshift.lifecycle import count_outcomes
from subshift.lifecycle.storage import index_outcomes, items_table, outcome_index

_ITEMS = 200_000
_RARE = {row: ItemOutcome.CONFLICT for row in range(50_000, 200_000, 30_000)}


@pytest.fixture(scope="module")
def large_migration(storage_database: DatabaseSettings) -> uuid.UUID:
    conn = connect(storage_database, application_name="storage-tests")
    try:
        seed_migration(conn, 1000)  # a neighbour: its partition must not be read
        migration_id = seed_migration(conn, _ITEMS, outcomes=_RARE)
        with conn.cursor() as cur:  # what autovacuum would have done by the time anyone reads results
            cur.execute(f"ANALYZE {items_table(migration_id)}")
        conn.commit()
        return migration_id
    finally:
        conn.close()


def _plan(conn: PgConnection, migration_id: uuid.UUID, outcome: ItemOutcome, after: int,
          through: int | None = None) -> dict[str, Any]:
    compiled = items_page_query(migration_id, after=after, outcome=outcome, limit=101, through=through).compile(
        dialect=postgresql.psycopg2.dialect())  # type: ignore[attr-defined]  # the dialect module is untyped
    with conn.cursor() as cur:
        cur.execute(f"EXPLAIN (FORMAT JSON) {compiled.string}", compiled.params)
        (document,) = cur.fetchone()
    conn.rollback()
    plan: dict[str, Any] = (document if isinstance(document, list) else json.loads(document))[0]["Plan"]
    return plan


def _nodes(plan: dict[str, Any]) -> list[dict[str, Any]]:
    return [plan, *(node for child in plan.get("Plans", []) for node in _nodes(child))]


@pytest.mark.parametrize("after", [0, 120_000])
def test_a_page_of_a_rare_outcome_is_an_index_scan_of_the_migrations_outcome_index(
        pg: PgConnection, large_migration: uuid.UUID, after: int) -> None:
    nodes = _nodes(_plan(pg, large_migration, ItemOutcome.CONFLICT, after))
    scans = [node for node in nodes if "Relation Name" in node]
    assert [node["Relation Name"] for node in scans] == [items_table(large_migration)], "one partition is read"
    [scan] = scans
    assert scan["Node Type"] in ("Index Scan", "Index Only Scan"), scan["Node Type"]
    assert "outcome" in scan["Index Name"], f"not the outcome index: {scan['Index Name']}"
    assert "outcome" in scan["Index Cond"] and "row_number" in scan["Index Cond"], scan["Index Cond"]
    # Every row of the partition has its migration id: a filter on it discards nothing.
    assert "outcome" not in scan.get("Filter", ""), f"the scan filters rows by outcome: {scan['Filter']}"
    assert not [node for node in nodes if node["Node Type"] in ("Seq Scan", "Bitmap Heap Scan", "Sort")]


def _outcome_indexes(conn: PgConnection, migration_id: uuid.UUID) -> list[str]:
    with conn.cursor() as cur:
        cur.execute("SELECT indexname FROM pg_indexes WHERE tablename = %s AND indexname <> %s ORDER BY 1",
                    (items_table(migration_id), f"{items_table(migration_id)}_pkey"))
        found = [str(name) for (name,) in cur.fetchall()]
    conn.rollback()
    return found


def test_the_consumer_finishing_a_migration_indexes_its_items_by_outcome(pg: PgConnection) -> None:
    migration_id = seed_migration(pg, 100, state=MigrationState.APPLYING)  # its counters add up already
    assert _outcome_indexes(pg, migration_id) == [], "a running migration's outcome updates must stay HOT"
    count_outcomes(pg, {migration_id: Counter()})
    pg.commit()
    assert _outcome_indexes(pg, migration_id) == [outcome_index(migration_id)]


def test_indexing_outcomes_leaves_the_transactions_lock_timeout_as_it_was(pg: PgConnection) -> None:
    migration_id = seed_migration(pg, 10, state=MigrationState.APPLYING)
    with pg.cursor() as cur:
        cur.execute("SET LOCAL lock_timeout = '500ms'")  # as the consumer's lock_migrations leaves it
        index_outcomes(cur, migration_id)
        cur.execute("SELECT current_setting('lock_timeout')")
        assert cur.fetchone() == ("500ms",)
    pg.commit()
    assert _outcome_indexes(pg, migration_id) == [outcome_index(migration_id)]


@pytest.fixture(scope="module")
def running_migration(storage_database: DatabaseSettings) -> uuid.UUID:
    conn = connect(storage_database, application_name="storage-tests")
    try:
        migration_id = seed_migration(conn, _ITEMS, outcomes=_RARE, state=MigrationState.APPLYING)
        with conn.cursor() as cur:
            cur.execute(f"ANALYZE {items_table(migration_id)}")
        conn.commit()
        return migration_id
    finally:
        conn.close()


def test_a_page_by_outcome_of_a_running_migration_reads_a_bounded_span_of_its_primary_key(
        pg: PgConnection, running_migration: uuid.UUID) -> None:
    assert _outcome_indexes(pg, running_migration) == []
    nodes = _nodes(_plan(pg, running_migration, ItemOutcome.CONFLICT, 120_000, through=120_000 + SCAN_ROWS))
    scans = [node for node in nodes if "Relation Name" in node]
    assert [node["Relation Name"] for node in scans] == [items_table(running_migration)], "one partition is read"
    [scan] = scans
    assert scan["Node Type"] in ("Index Scan", "Index Only Scan"), scan["Node Type"]
    # Both ends of the span bound the walk of the primary key; the outcome is a filter within it.
    assert "row_number > " in scan["Index Cond"] and "row_number <= " in scan["Index Cond"], scan["Index Cond"]


@pytest.mark.parametrize("page_size", [1, 100])
def test_a_running_migrations_items_by_outcome_page_through_spans_to_every_item(
        storage_database: DatabaseSettings, running_migration: uuid.UUID, page_size: int,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(queries, "SCAN_ROWS", 7_000)  # a few spans between the rare items, one ending the walk
    engine = make_engine(storage_database)
    found: list[int] = []
    pages: list[int] = []
    token = ""
    try:
        while True:
            page = queries.list_items(engine, running_migration, size=page_size, token=token,
                                      outcome=ItemOutcome.CONFLICT)
            assert page.total_size == len(_RARE)
            pages.append(len(page.items))
            found += [item.row_number for item in page.items]
            token = page.next_page_token
            if not token:
                break
    finally:
        engine.dispose()
    assert found == sorted(_RARE), "every item with the outcome, in row order, none twice"
    assert 0 in pages, "a span without the outcome ends its page early, with a token to go on"
    assert len(pages) >= _ITEMS // 7_000, "no call read more than one span"


def test_a_finished_migrations_pages_by_outcome_are_not_cut_into_spans(
        storage_database: DatabaseSettings, large_migration: uuid.UUID) -> None:
    engine = make_engine(storage_database)
    try:
        page = queries.list_items(engine, large_migration, size=100, token="", outcome=ItemOutcome.CONFLICT)
    finally:
        engine.dispose()
    assert [item.row_number for item in page.items] == sorted(_RARE) and page.next_page_token == ""


def test_a_finished_migrations_outcome_index_leaves_out_applied_items(
        pg: PgConnection, large_migration: uuid.UUID) -> None:
    with pg.cursor() as cur:
        cur.execute("SELECT indexdef FROM pg_indexes WHERE indexname = %s", (outcome_index(large_migration),))
        (definition,) = cur.fetchone()
        cur.execute(f"SELECT count(*) FROM {items_table(large_migration)} WHERE outcome <> 'applied'")  # noqa: S608
        (others,) = cur.fetchone()
    pg.rollback()
    assert definition.endswith("WHERE (outcome <> 'applied'::text)"), definition
    assert others == len(_RARE)


def test_a_page_of_a_finished_migrations_applied_items_reads_a_bounded_span_of_its_primary_key(
        storage_database: DatabaseSettings, pg: PgConnection, large_migration: uuid.UUID) -> None:
    nodes = _nodes(_plan(pg, large_migration, ItemOutcome.APPLIED, 120_000, through=120_000 + SCAN_ROWS))
    [scan] = [node for node in nodes if "Relation Name" in node]
    assert scan["Node Type"] in ("Index Scan", "Index Only Scan"), scan["Node Type"]
    assert "row_number > " in scan["Index Cond"] and "row_number <= " in scan["Index Cond"], scan["Index Cond"]
    engine = make_engine(storage_database)
    try:
        page = queries.list_items(engine, large_migration, size=100, token="", outcome=ItemOutcome.APPLIED)
    finally:
        engine.dispose()
    assert [item.row_number for item in page.items] == list(range(2, 102)) and page.next_page_token
    assert page.total_size == _ITEMS - len(_RARE)
