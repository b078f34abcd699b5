"""PostgreSQL CPU per migrated row in the apply alone: ``python -m subshift_tooling.bench.apply_cost``.

The end-to-end bench reads the whole stack's CPU while the API, the relay and the consumers run;
this isolates the apply. It seeds ``--rows`` subscribers and a migration of as many items straight
into a fresh database (``subshift_apply_cost``, dropped and created), then runs the consumer's own
transaction (``subshift.apply.transaction.apply_batch``: offsets, COPY, rounds, counters, commit)
over batches of ``--batch`` events in row order, spread over the partitions like the topic's, with
no Kafka. The CPU is the apply backend's own (user + system, read with psutil from its pid,
``pg_backend_pid()``), so the machine's other work does not count; the stack's PostgreSQL must run
on this machine. Then it redelivers the first batch and checks that nothing changed.

Example: python -m subshift_tooling.bench.apply_cost --rows 200000 --batch 5000 --repeat 3
"""

from __future__ import annotations

import argparse
import io
import json
import statistics
import sys
import time
import uuid
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass

import psutil

from subshift.apply.batch import Change, prepare_batch
from subshift.apply.transaction import apply_batch
from subshift.config import DatabaseSettings, load_settings
from subshift.db.connect import PgConnection, connect
from subshift.deadletter.letters import DeadLetter
from subshift.errors import DataError
from subshift.lifecycle.storage import attach_items_table, create_items_table
from subshift_tooling.bench.workspace import fresh_database

__all__ = ["ApplyCost", "backend_cpu", "backend_process", "main", "measure", "place_on_partitions", "seed_migration"]

DATABASE = "subshift_apply_cost"
_GROUP, _TOPIC = "apply-cost", "apply-cost.user-offers"
_CURRENT, _TARGET, _OTHER, _SPARE = "ac-current", "ac-target", "ac-other", "ac-spare"
# "mixed": 70 % applied, 10 % skipped, 10 % conflict, 10 % not found (the pipeline tests' mix).
_MIXED = ["applied"] * 7 + ["skipped", "conflict", "not_found"]


@dataclass(frozen=True)
class ApplyCost:
    rows: int
    batch: int
    partitions: int
    mix: str
    backend_cpu_seconds: float
    wall_seconds: float
    outcomes: dict[str, int]
    careful_rounds: int  # rounds the careful statement applied (the optimistic one did not stand)

    @property
    def cpu_us_per_row(self) -> float:
        return self.backend_cpu_seconds / self.rows * 1e6

    @property
    def wall_us_per_row(self) -> float:
        return self.wall_seconds / self.rows * 1e6


def seed_migration(conn: PgConnection, rows: int, mix: str,
                   items_fillfactor: int | None) -> tuple[uuid.UUID, list[Change]]:
    """``rows`` subscribers and a migration of as many items (``mix``: what each row will find), analysed;
    the changes that apply it, in row order."""
    migration_id = uuid.uuid4()
    kinds = _MIXED if mix == "mixed" else ["applied"]
    start = {"applied": _CURRENT, "skipped": _TARGET, "conflict": _OTHER}
    users = [f"u{n:07d}" for n in range(1, rows + 1)]
    with conn.cursor() as cur:
        cur.executemany("INSERT INTO offers (code, name) VALUES (%s, %s)",
                        [(o, o) for o in (_CURRENT, _TARGET, _OTHER, _SPARE)])
        subscriptions = "".join(f"{u}\t{start[k]}\n" for n, u in enumerate(users)
                                if (k := kinds[n % len(kinds)]) in start)
        cur.copy_expert("COPY subscriptions (user_id, offer_code) FROM STDIN", io.StringIO(subscriptions))
        cur.execute(
            "INSERT INTO migrations (id, content_sha256, state, created_by, rows_received, staged, published, "
            "publish_cursor, max_rows_per_second) VALUES (%s, %s, 'applying', 'apply-cost', %s, %s, %s, %s, 0)",
            (str(migration_id), uuid.uuid4().hex, rows, rows, rows, rows + 1),
        )
        # The migration's own items table (one partition per migration), written and attached as staging does.
        table = create_items_table(cur, migration_id)
        if items_fillfactor is not None:  # an experiment's storage parameter, before any item is written
            cur.execute(f"ALTER TABLE {table} SET (fillfactor = {int(items_fillfactor)})")
        items = "".join(f"{migration_id}\t{n}\t{u}\t{_CURRENT}\t{_TARGET}\n" for n, u in enumerate(users, start=2))
        cur.copy_expert(f"COPY {table} (migration_id, row_number, user_id, current_offer, target_offer) "
                        "FROM STDIN", io.StringIO(items))
        attach_items_table(cur, migration_id)
        cur.execute("SELECT row_number, event_id::text FROM migration_items WHERE migration_id = %s "
                    "ORDER BY row_number", (str(migration_id),))
        events = cur.fetchall()
    conn.commit()
    with conn.cursor() as cur:  # the pipeline runs on an analysed database (autovacuum would do it later)
        conn.autocommit = True
        cur.execute("VACUUM ANALYZE subscriptions, migration_items, migrations, offers")
        conn.autocommit = False
    changes = [Change(0, 0, migration_id, row_number, event_id, users[row_number - 2], _CURRENT, _TARGET,
                      1_700_000_000_000) for row_number, event_id in events]
    return migration_id, changes


def place_on_partitions(changes: Sequence[Change], partitions: int) -> list[Change]:
    """``changes`` in row order, each on the partition its user hashes to (round robin here), offsets counted."""
    return [Change(n % partitions, n // partitions, c.migration_id, c.row_number, c.event_id, c.user_id,
                   c.current_offer, c.target_offer, c.timestamp_ms) for n, c in enumerate(changes)]


def _batches(changes: Sequence[Change], batch: int, partitions: int) -> list[list[Change]]:
    """Batches in row order, placed on ``partitions``."""
    placed = place_on_partitions(changes, partitions)
    return [placed[i:i + batch] for i in range(0, len(placed), batch)]


def _no_dead_letters(dead: Sequence[DeadLetter]) -> list[tuple[int, int]]:
    raise DataError(f"the apply-cost run produced {len(dead)} dead letters; its events match their items",
                    column="events", rule="no_dead_letters")


def _next_offsets(batch: Sequence[Change]) -> dict[int, int]:
    result: dict[int, int] = {}
    for change in batch:
        result[change.partition] = max(result.get(change.partition, 0), change.offset + 1)
    return result


def backend_process(conn: PgConnection) -> psutil.Process:
    """The server process behind ``conn`` (its transaction is rolled back)."""
    with conn.cursor() as cur:
        cur.execute("SELECT pg_backend_pid()")
        (pid,) = cur.fetchone()
    conn.rollback()
    return psutil.Process(int(pid))


def backend_cpu(process: psutil.Process) -> float:
    times = process.cpu_times()
    return float(times.user + times.system)


def _outcomes(conn: PgConnection, migration_id: uuid.UUID) -> dict[str, int]:
    with conn.cursor() as cur:
        cur.execute("SELECT outcome, count(*) FROM migration_items WHERE migration_id = %s GROUP BY 1",
                    (str(migration_id),))
        result = {str(o): int(n) for o, n in cur.fetchall()}
    conn.rollback()
    return result


def _fingerprint(conn: PgConnection, migration_id: uuid.UUID) -> tuple[object, ...]:
    with conn.cursor() as cur:
        cur.execute("SELECT sum(version), count(*) FILTER (WHERE offer_code = %s) FROM subscriptions",
                    (_TARGET,))
        subscriptions = cur.fetchone()
        cur.execute("SELECT applied, skipped, conflicts, not_found, state FROM migrations WHERE id = %s",
                    (str(migration_id),))
        migration = cur.fetchone()
        cur.execute("SELECT count(*), max(outcome_at) FROM migration_items WHERE migration_id = %s "
                    "AND outcome <> 'pending'", (str(migration_id),))
        items = cur.fetchone()
    conn.rollback()
    return subscriptions, migration, items


def measure(database: DatabaseSettings, *, rows: int, batch: int, partitions: int, mix: str,
            items_fillfactor: int | None = None) -> ApplyCost:
    """Seed, apply every batch through the consumer's transaction, and read the apply backend's CPU.

    Raises:
        DataError: the run produced dead letters, or a redelivered batch changed something.
    """
    seeding = connect(database, application_name="apply-cost-seed")
    try:
        migration_id, changes = seed_migration(seeding, rows, mix, items_fillfactor)
    finally:
        seeding.close()
    batches = _batches(changes, batch, partitions)
    prepared = [prepare_batch(b, []) for b in batches]  # planned off the clock, as the consumer does
    conn = connect(database, application_name="apply-cost")
    try:
        backend = backend_process(conn)
        careful = 0
        cpu, wall = backend_cpu(backend), time.perf_counter()
        for b, p in zip(batches, prepared, strict=True):
            plan, _ = apply_batch(conn, p, group_id=_GROUP, topic=_TOPIC, next_offsets=_next_offsets(b),
                                  identity=None, send=_no_dead_letters)
            careful += getattr(plan, "careful_rounds", plan.rounds)  # absent before the optimistic round
        cpu, wall = backend_cpu(backend) - cpu, time.perf_counter() - wall
        outcomes = _outcomes(conn, migration_id)
        # A redelivered batch (its offsets forgotten, as after a reset) must change nothing.
        before = _fingerprint(conn, migration_id)
        with conn.cursor() as cur:
            cur.execute("DELETE FROM consumer_offsets WHERE group_id = %s", (_GROUP,))
        conn.commit()
        apply_batch(conn, prepare_batch(batches[0], []), group_id=_GROUP, topic=_TOPIC,
                    next_offsets=_next_offsets(batches[0]), identity=None, send=_no_dead_letters)
        if _fingerprint(conn, migration_id) != before:
            raise DataError("a redelivered batch changed subscriptions, counters or items", column="redelivery",
                            rule="no_effect")
    finally:
        conn.close()
    return ApplyCost(rows, batch, partitions, mix, round(cpu, 3), round(wall, 3), outcomes, careful)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m subshift_tooling.bench.apply_cost",
                                     description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--batch", type=int, default=5_000)
    parser.add_argument("--partitions", type=int, default=6)
    parser.add_argument("--mix", choices=("applied", "mixed"), default="applied")
    parser.add_argument("--repeat", type=int, default=3, help="runs, each on a fresh database")
    parser.add_argument("--items-fillfactor", type=int, choices=range(10, 101), metavar="10-100",
                        help="migration_items' fillfactor for this run (default: the schema's)")
    args = parser.parse_args(argv)
    settings = load_settings()
    runs = []
    for _ in range(args.repeat):
        database = fresh_database(settings, DATABASE)
        result = measure(database, rows=args.rows, batch=args.batch, partitions=args.partitions, mix=args.mix,
                         items_fillfactor=args.items_fillfactor)
        runs.append(result)
        print(json.dumps({**asdict(result), "cpu_us_per_row": round(result.cpu_us_per_row, 2),
                          "wall_us_per_row": round(result.wall_us_per_row, 2)}), flush=True)
    cpu = [r.cpu_us_per_row for r in runs]
    summary = {"runs": len(runs), "cpu_us_per_row_median": round(statistics.median(cpu), 2),
               "cpu_us_per_row_min": round(min(cpu), 2), "cpu_us_per_row_max": round(max(cpu), 2),
               "outcomes": dict(Counter(runs[-1].outcomes))}
    print(json.dumps(summary), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
