"""The least database work the apply's guarantees need per row: ``python -m subshift_tooling.bench.apply_floor``.

Seeds ``--rows`` subscribers and a migration of as many items as ``apply_cost`` does, then stages
batches of 5,000 changes and runs, each in its own transaction rolled back afterwards, one of:

- ``stage``: the batch staged alone (the consumer's temporary table, ``COPY``, analysis);
- ``cas``: plus the compare-and-set on ``subscriptions`` alone, one ``UPDATE … FROM``;
- ``item``: plus the items' outcome and lineage alone, one ``UPDATE … FROM`` checking the event;
- ``both``: plus both plain statements, the least the guarantees need when every row moves;
- ``decide_all``: plus the consumer's optimistic round deciding every row in one statement;
- ``moves_first``: plus the consumer's optimistic round running the moves alone first, then deciding the
  rows left (``subshift.apply.store.apply_round``).

``--mix mixed`` seeds 70 % of rows to move and 10 % each to be skipped, in conflict and not found (the
plain statements then do less than the guarantees need; compare the two rounds).

The variants alternate in a shuffled order each cycle, on batches drawn at random, and the apply
backend's own CPU is read around each (psutil; the kernel counts in 10 ms ticks, 2 µs per row of a
5,000-row batch). ``--shape pipeline`` draws a Kafka partition's batch as the pipeline sends it (users
hashed to six partitions, in file order: one row in six of a run of consecutive rows); ``random``
draws 5,000 rows from the whole migration.

Example: python -m subshift_tooling.bench.apply_floor --rows 1000000 --cycles 16
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import uuid
from collections.abc import Callable, Sequence

from subshift.apply.batch import Change, prepare_batch
from subshift.apply.store import Tallies, apply_round, stage
from subshift.config import Settings, load_settings
from subshift.db.connect import PgConnection, connect
from subshift.errors import DataError
from subshift.lifecycle.storage import items_table
from subshift_tooling.bench import apply_cost
from subshift_tooling.bench.workspace import fresh_database

__all__ = ["VARIANTS", "main"]

VARIANTS = ("stage", "cas", "item", "both", "decide_all", "moves_first")
_BATCH = 5_000
_PARTITIONS = 6

_CAS = ("UPDATE subscriptions s SET offer_code = b.target_offer, version = s.version + 1, updated_at = now() "
        "FROM _apply_batch b WHERE s.user_id = b.user_id AND s.offer_code = b.current_offer")
_ITEM = """
UPDATE {table} i
SET outcome = 'applied', reason = '', previous_offer = b.current_offer, outcome_at = now(),
    published_at = to_timestamp(b.published_ms / 1000.0), kafka_partition = b.kafka_partition,
    kafka_offset = b.kafka_offset
FROM _apply_batch b
WHERE i.migration_id = %s AND i.row_number = b.row_number AND i.outcome = 'pending'
  AND i.event_id = b.event_id AND i.user_id = b.user_id
"""


def _batches(changes: Sequence[Change], shape: str, rng: random.Random) -> list[list[Change]]:
    placed = apply_cost.place_on_partitions(changes, _PARTITIONS)
    if shape == "random":
        rng.shuffle(placed)
        runs = [sorted(placed[i:i + _BATCH], key=lambda c: c.row_number) for i in range(0, len(placed), _BATCH)]
    else:
        partitions = [placed[p::_PARTITIONS] for p in range(_PARTITIONS)]
        runs = [part[i:i + _BATCH] for part in partitions for i in range(0, len(part), _BATCH)]
    full = [run for run in runs if len(run) == _BATCH]
    if not full:
        raise DataError(f"no full batch of {_BATCH} rows: --rows must be at least {_BATCH * _PARTITIONS}",
                        column="rows", rule="range")
    return full


def _statements(conn: PgConnection, migration_id: uuid.UUID) -> dict[str, Callable[[], None]]:
    item = _ITEM.format(table=items_table(migration_id))

    def run(*statements: str) -> Callable[[], None]:
        def go() -> None:
            with conn.cursor() as cur:
                for statement in statements:
                    cur.execute(statement, (str(migration_id),) if "%s" in statement else None)
        return go

    def optimistic_round(moves_first: bool) -> Callable[[], None]:
        def go() -> None:
            if not apply_round(conn, 1, Tallies(), optimistic_for=(migration_id, _BATCH), moves_first=moves_first):
                raise RuntimeError("the optimistic round did not stand on a fresh batch")
        return go

    return {"stage": run(), "cas": run(_CAS), "item": run(item), "both": run(_CAS, item),
            "decide_all": optimistic_round(False), "moves_first": optimistic_round(True)}


def measure(settings: Settings, *, rows: int, shape: str, mix: str, cycles: int,
            seed: int = 7) -> dict[str, list[float]]:
    """µs of the apply backend's CPU per row for each variant, one number per cycle.

    Raises:
        DataError: too few rows for one full batch.
        RuntimeError: an optimistic round did not stand (each batch is fresh, so it must).
    """
    database = fresh_database(settings, apply_cost.DATABASE)
    seeding = connect(database, application_name="apply-floor-seed")
    try:
        migration_id, changes = apply_cost.seed_migration(seeding, rows, mix, None)
    finally:
        seeding.close()
    rng = random.Random(seed)  # noqa: S311 -- which batches are measured, not a secret
    batches = _batches(changes, shape, rng)
    conn = connect(database, application_name="apply-floor")
    try:
        backend = apply_cost.backend_process(conn)
        variants = _statements(conn, migration_id)
        results: dict[str, list[float]] = {name: [] for name in VARIANTS}
        for _ in range(cycles):
            order = list(VARIANTS)
            rng.shuffle(order)
            for name in order:
                plan, text = prepare_batch(rng.choice(batches), []).plan_for({})
                before = apply_cost.backend_cpu(backend)
                stage(conn, text)
                variants[name]()
                results[name].append((apply_cost.backend_cpu(backend) - before) * 1e6 / len(plan.rows))
                conn.rollback()
    finally:
        conn.close()
    return results


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m subshift_tooling.bench.apply_floor",
                                     description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--shape", choices=("pipeline", "random"), default="pipeline")
    parser.add_argument("--mix", choices=("applied", "mixed"), default="applied")
    parser.add_argument("--cycles", type=int, default=16, help="batches per variant")
    args = parser.parse_args(argv)
    try:
        results = measure(load_settings(), rows=args.rows, shape=args.shape, mix=args.mix, cycles=args.cycles)
    except DataError as error:
        parser.error(str(error))
    for name in VARIANTS:
        values = results[name]
        print(json.dumps({"shape": args.shape, "mix": args.mix, "variant": name, "batches": len(values),
                          "cpu_us_per_row_median": round(statistics.median(values), 1),
                          "cpu_us_per_row_mean": round(statistics.mean(values), 1)}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
