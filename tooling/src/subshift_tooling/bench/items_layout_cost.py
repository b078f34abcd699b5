"""The apply's PostgreSQL cost on one migration, batch by batch, under a given layout of ``migration_items``.

``python -m subshift_tooling.bench.items_layout_cost`` runs the consumer's own statements (``apply/store.py``:
the batch's ``COPY`` and one round) over every item of a staged migration, 5,000 at a time, each round
under ``EXPLAIN (ANALYZE, BUFFERS, WAL, TIMING OFF)`` (no per-node clock, so the instrumentation costs
little), and sums what PostgreSQL reports: execution time, pages hit,
dirtied and written, WAL records, full-page images and bytes. Then the items' heap-only (HOT) share of
updates and the sizes of the table and its indexes. Each layout runs on a database of its own:

- ``unpartitioned``: the schema at revision 0008 (one table, primary key only);
- ``partitioned``: revision 0009 as shipped (a partition per migration, primary key only while it runs),
  and then the index by outcome its finishing writer builds (``index_ms``, wall time of that statement);
- ``partial-outcome-index``: revision 0009 with a partial index on ``(outcome, row_number) WHERE outcome
  <> 'pending'`` while the migration runs (the alternative: every outcome update loses its HOT path).

The migration is like the bench's: 70 % of its rows apply, 10 % are already on the target offer, 10 %
are on another offer, 10 % have no subscription. The numbers are PostgreSQL's own, so they hold on a
shared machine better than wall time, though the time still moves with what else runs.
"""

from __future__ import annotations

import argparse
import json
import re
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import psycopg2
from pydantic import SecretStr
from sqlalchemy.engine import make_url

from subshift.apply.store import _ROUND_SQL, StagedRow, copy_text, stage
from subshift.config import DatabaseSettings, load_settings
from subshift.db.connect import PgConnection, connect
from subshift.db.upgrade import upgrade
from subshift.lifecycle.storage import attach_items_table, create_items_table, index_outcomes, items_table

__all__ = ["LAYOUTS", "Cost", "measure"]

# The consumer's careful round (the one every layout pays in full), its round number as a parameter.
_CAREFUL_ROUND = _ROUND_SQL.replace("$1", "%(seq)s")

LAYOUTS = ("unpartitioned", "partitioned", "partial-outcome-index")
_OFFERS = ("cost-from", "cost-to", "cost-other")


@dataclass
class Cost:
    """What PostgreSQL reported for every round of one migration's apply."""

    layout: str
    rows: int
    rounds: int = 0
    execution_ms: float = 0.0
    buffers: dict[str, int] = field(default_factory=dict)
    wal: dict[str, int] = field(default_factory=dict)
    updates: int = 0
    hot_updates: int = 0
    sizes: dict[str, int] = field(default_factory=dict)
    index_ms: float | None = None

    def add(self, plan: dict[str, Any]) -> None:
        self.rounds += 1
        self.execution_ms += float(plan["Execution Time"])
        top = plan["Plan"]
        for key in ("Shared Hit Blocks", "Shared Read Blocks", "Shared Dirtied Blocks", "Shared Written Blocks"):
            self.buffers[key] = self.buffers.get(key, 0) + int(top.get(key, 0))
        for key in ("WAL Records", "WAL FPI", "WAL Bytes"):
            self.wal[key] = self.wal.get(key, 0) + int(top.get(key, 0))


@contextmanager
def _database(admin: DatabaseSettings) -> Iterator[DatabaseSettings]:
    name = f"subshift_applycost_{uuid.uuid4().hex[:8]}"
    _admin(admin, f'CREATE DATABASE "{name}"')
    url = make_url(admin.sqlalchemy_url()).set(database=name).render_as_string(hide_password=False)
    try:
        yield DatabaseSettings(url=SecretStr(url))
    finally:
        _admin(admin, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _admin(admin: DatabaseSettings, statement: str) -> None:
    connection = psycopg2.connect(admin.libpq_dsn())
    connection.autocommit = True
    try:
        with connection.cursor() as cursor:
            cursor.execute(statement)
    finally:
        connection.close()


def _seed(conn: PgConnection, layout: str, rows: int) -> tuple[uuid.UUID, list[tuple[int, str, str]]]:
    """The offers, the subscribers and a staged migration of ``rows`` items; returns its id and items."""
    migration_id = uuid.uuid4()
    current, target, other = _OFFERS
    with conn.cursor() as cur:
        cur.executemany("INSERT INTO offers (code, name) VALUES (%s, %s)", [(o, o) for o in _OFFERS])
        cur.execute(
            "INSERT INTO subscriptions (user_id, offer_code) SELECT 'u' || lpad(n::text, 8, '0'), "
            "CASE n %% 10 WHEN 7 THEN %s WHEN 8 THEN %s ELSE %s END FROM generate_series(0, %s - 1) AS n "
            "WHERE n %% 10 <> 9", (target, other, current, rows))
        cur.execute("INSERT INTO migrations (id, content_sha256, state, created_by, rows_received, staged, published, "
                    "publish_cursor) VALUES (%s, 'x', 'applying', 'apply-cost', %s, %s, %s, %s)",
                    (str(migration_id), rows, rows, rows, rows + 1))
        if layout != "unpartitioned":
            create_items_table(cur, migration_id)
            attach_items_table(cur, migration_id)
        cur.execute("INSERT INTO migration_items (migration_id, row_number, user_id, current_offer, target_offer) "
                    "SELECT %s, n + 2, 'u' || lpad(n::text, 8, '0'), %s, %s FROM generate_series(0, %s - 1) AS n",
                    (str(migration_id), current, target, rows))
        if layout == "partial-outcome-index":
            cur.execute(f"CREATE INDEX partial_outcome ON {items_table(migration_id)} (outcome, row_number) "
                        "WHERE outcome <> 'pending'")
        cur.execute("SELECT row_number, event_id::text, user_id FROM migration_items WHERE migration_id = %s "
                    "ORDER BY row_number", (str(migration_id),))
        items = [(int(r), str(e), str(u)) for r, e, u in cur.fetchall()]
    conn.commit()
    conn.autocommit = True
    with conn.cursor() as cur:  # what the upload's analysis and autovacuum leave before the consumers start
        cur.execute("VACUUM ANALYZE migration_items")
        cur.execute("VACUUM ANALYZE subscriptions")
    conn.autocommit = False
    return migration_id, items


def measure(database: DatabaseSettings, layout: str, *, rows: int, batch: int) -> Cost:
    """Apply every item of a new ``rows``-item migration on ``database`` (a new, empty one) in ``layout``."""
    upgrade(database, "0008" if layout == "unpartitioned" else "head")
    conn = connect(database, application_name="apply-cost")
    try:
        migration_id, items = _seed(conn, layout, rows)
        current, target, _ = _OFFERS
        cost = Cost(layout, rows)
        for start in range(0, len(items), batch):
            staged = [StagedRow(idx, 0, migration_id, row, event, user, current, target, 0, start + idx)
                      for idx, (row, event, user) in enumerate(items[start:start + batch])]
            stage(conn, copy_text(staged))
            with conn.cursor() as cur:
                cur.execute(f"EXPLAIN (ANALYZE, BUFFERS, WAL, TIMING OFF, FORMAT JSON) {_CAREFUL_ROUND}", {"seq": 0})
                (document,) = cur.fetchone()
            conn.commit()
            cost.add((document if isinstance(document, list) else json.loads(document))[0])
        if layout == "partitioned":
            started = time.monotonic()
            with conn.cursor() as cur:
                index_outcomes(cur, migration_id)
            conn.commit()
            cost.index_ms = (time.monotonic() - started) * 1000
        with conn.cursor() as cur:
            cur.execute("SELECT pg_stat_force_next_flush()")
        conn.commit()
        with conn.cursor() as cur:
            cur.execute("SELECT sum(n_tup_upd), sum(n_tup_hot_upd) FROM pg_stat_user_tables "
                        "WHERE relname LIKE 'migration\\_items%%'")
            updates, hot = cur.fetchone()
            cur.execute("SELECT c.relname, pg_relation_size(c.oid) FROM pg_class c WHERE c.relkind IN ('r', 'i') "
                        "AND (c.relname LIKE 'migration\\_items%%' OR c.relname LIKE '%%migration\\_items%%') "
                        "ORDER BY 1")
            cost.sizes = {re.sub("[0-9a-f]{20,32}", "<id>", str(name)): int(size) for name, size in cur.fetchall()}
        conn.rollback()
        cost.updates, cost.hot_updates = int(updates or 0), int(hot or 0)
        return cost
    finally:
        conn.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--batch", type=int, default=5000)
    parser.add_argument("--layout", choices=LAYOUTS, action="append")
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    admin = load_settings().database
    for _ in range(args.repeat):
        for layout in args.layout or LAYOUTS:
            with _database(admin) as database:
                cost = measure(database, layout, rows=args.rows, batch=args.batch)
            print(json.dumps(cost.__dict__))


if __name__ == "__main__":
    main()
