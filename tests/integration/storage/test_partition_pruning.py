"""The pipeline's statements on ``migration_items`` read the partitions of their own migrations only.

The relay's claim names its migration (pruned when planned); the consumer's rounds (the moves among them)
and its orphan check join the batch to the items (pruned as they run: the other partitions' scans never
return a row).
Partitions are analysed, as an upload of 10,000 rows or more leaves its own.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest

from storage.items import seed_migration
from subshift.apply.store import _FAST_ROUND_SQL, _MOVES_SQL, _ORPHANS_SQL, _ROUND_SQL, StagedRow, copy_text, stage
from subshift.db.connect import PgConnection
from subshift.db.models import MigrationState
from subshift.lifecycle import PUBLISHABLE
from subshift.lifecycle.storage import items_table
from subshift.outbox.claim import _CLAIM_SQL

_ITEMS = 20_000
_BATCH = 2_000


def _scans(plan: dict[str, Any]) -> list[dict[str, Any]]:
    here = [plan] if str(plan.get("Relation Name", "")).startswith("migration_items_") else []
    return here + [scan for child in plan.get("Plans", []) for scan in _scans(child)]


def _explain(conn: PgConnection, sql: str, params: dict[str, Any]) -> list[dict[str, Any]]:
    with conn.cursor() as cur:
        cur.execute(f"EXPLAIN (ANALYZE, FORMAT JSON) {sql}", params)
        (document,) = cur.fetchone()
    return _scans((document if isinstance(document, list) else json.loads(document))[0]["Plan"])


@pytest.fixture
def three_migrations(pg: PgConnection) -> list[uuid.UUID]:
    ids = [seed_migration(pg, _ITEMS, state=MigrationState.APPLYING) for _ in range(3)]
    with pg.cursor() as cur:
        for migration_id in ids:
            cur.execute(f"UPDATE {items_table(migration_id)} SET outcome = 'pending'")  # noqa: S608 - a name
    pg.commit()
    pg.autocommit = True
    with pg.cursor() as cur:
        for migration_id in ids:
            cur.execute(f"VACUUM ANALYZE {items_table(migration_id)}")
    pg.autocommit = False
    return ids


def _batch(conn: PgConnection, migration_id: uuid.UUID) -> None:
    with conn.cursor() as cur:
        cur.execute("SELECT row_number, event_id::text, user_id, current_offer, target_offer FROM migration_items "
                    "WHERE migration_id = %s ORDER BY row_number LIMIT %s", (str(migration_id), _BATCH))
        rows = cur.fetchall()
        # Subscriptions the batch moves (rolled back with the test's transaction), so the moves reach the items.
        cur.execute("INSERT INTO offers (code, name) SELECT DISTINCT o, o FROM unnest(%s::text[]) o "
                    "ON CONFLICT DO NOTHING", ([offer for *_, current, target in rows for offer in (current, target)],))
        cur.execute("INSERT INTO subscriptions (user_id, offer_code) SELECT * FROM unnest(%s::text[], %s::text[]) "
                    "ON CONFLICT (user_id) DO UPDATE SET offer_code = excluded.offer_code",
                    ([user for _, _, user, *_ in rows], [current for *_, current, _ in rows]))
    stage(conn, copy_text([StagedRow(idx, 0, migration_id, row, event, user, current, target, 0, idx)
                           for idx, (row, event, user, current, target) in enumerate(rows)]))


# The rounds are prepared statements taking the round number as $1 (and the optimistic ones their
# migration as $2, the rows the moves took as $3); EXPLAIN gets them as parameters.
_STATEMENTS = {"careful round": _ROUND_SQL.replace("$1", "%(seq)s"),
               "moves": _MOVES_SQL.replace("$1", "%(seq)s").replace("$2", "%(mid)s::uuid"),
               "optimistic round": _FAST_ROUND_SQL.replace("$1", "%(seq)s").replace("$2", "%(mid)s::uuid")
                                                  .replace("$3", "'{}'::integer[]"),
               "orphans": _ORPHANS_SQL}


@pytest.mark.parametrize("statement", sorted(_STATEMENTS))
def test_the_consumers_statements_read_only_their_migrations_partition(
        pg: PgConnection, three_migrations: list[uuid.UUID], statement: str) -> None:
    target = three_migrations[1]
    _batch(pg, target)
    sql = _STATEMENTS[statement]
    scans = _explain(pg, sql, {"seq": 0, "mid": str(target)})
    pg.rollback()
    read = {scan["Relation Name"]: scan["Actual Rows"] * scan["Actual Loops"] for scan in scans}
    others = {name: rows for name, rows in read.items() if name != items_table(target)}
    # Pruned when planned (absent from the plan) or as it runs (present, never returning a row).
    assert read.get(items_table(target)) and all(rows == 0 for rows in others.values()), read


def test_the_relays_claim_plans_its_migrations_partition_alone(
        pg: PgConnection, three_migrations: list[uuid.UUID]) -> None:
    target = three_migrations[0]
    with pg.cursor() as cur:
        cur.execute("UPDATE migrations SET state = 'publishing', published = 0, publish_cursor = 0 WHERE id = %s",
                    (str(target),))
    scans = _explain(pg, _CLAIM_SQL, {"mid": str(target), "states": [s.value for s in PUBLISHABLE], "limit": 100})
    pg.rollback()
    assert {scan["Relation Name"] for scan in scans} == {items_table(target)}
