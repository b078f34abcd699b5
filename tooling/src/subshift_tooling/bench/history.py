"""The history stage: the same upload and the same read calls on an empty database, then after a year of use.

1. The bench database is made anew (no migration at all), the subscribers reseeded, and the user of
   one row in ``CONFLICT_EVERY`` moved to an offer no row names, so the upload ends with a rare
   ``conflict`` outcome to filter for.
2. End to end: the first size's CSV, API, relay and consumers running (``pipeline_run.end_to_end``).
3. Read calls on that migration, one after another (``latency.measure_reads``): ``GetMigration``,
   ``ListMigrationItems``' first page, and its first page filtered by ``conflict``.
4. A history of finished migrations is seeded (``history_seed``), then steps 1 (without making the
   database anew) to 3 run again.
5. Steps 1 to 3 once more on a database made anew: the empty side before and after the history side
   (A, B, A), so a machine whose speed drifts over the stage's half hour (seeding takes most of it)
   does not count as the history's cost. The ratios are the history side over the mean of both empty
   sides; the report gives all three.

Every step starts from vacuumed tables (``settle``), so neither side pays for the other's dead rows.
"""

from __future__ import annotations

import csv
import statistics
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from subshift.config import DatabaseSettings
from subshift.db.connect import connect
from subshift_tooling.bench.context import BenchContext, Services
from subshift_tooling.bench.history_seed import HistorySeed, seed_history
from subshift_tooling.bench.latency import ReadLatency, measure_reads
from subshift_tooling.bench.options import BenchOptions
from subshift_tooling.bench.pipeline_run import PipelineRun, end_to_end
from subshift_tooling.bench.rss import RssSampler
from subshift_tooling.bench.services import free_port
from subshift_tooling.bench.settle import vacuum_pipeline_tables
from subshift_tooling.seeding import load_demo_data

__all__ = ["CONFLICT_EVERY", "HistoryRun", "HistorySide", "history_stage"]

Say = Callable[[str], None]

CONFLICT_EVERY = 10_000  # one row in this many finds its subscriber elsewhere: 100 conflicts in 1M rows
_ELSEWHERE = "BENCH-ELSEWHERE"  # an offer code no row of the CSV names
READS = ("GetMigration", "ListMigrationItems, first page", "ListMigrationItems, first page of conflict")


@dataclass
class HistorySide:
    """One side of the comparison: the items already in the database, the upload's run, the read calls."""

    items_before: int
    run: PipelineRun
    reads: list[ReadLatency] = field(default_factory=list)
    vacuum_seconds: float = 0.0


@dataclass
class HistoryRun:
    empty: HistorySide
    history: HistorySide | None = None
    seed: HistorySeed | None = None
    empty_again: HistorySide | None = None  # the empty side once more, after the history side

    @property
    def empty_sides(self) -> list[HistorySide]:
        return [self.empty] + ([self.empty_again] if self.empty_again else [])

    def empty_rate(self) -> float:
        """The end-to-end rate on an empty database: the mean of the empty sides."""
        return statistics.fmean(side.run.end_to_end_rows_per_second for side in self.empty_sides)

    def rate_ratio(self) -> float | None:
        """The end-to-end rate after the history over the rate on an empty database (1.0: no slower)."""
        empty = self.empty_rate()
        if self.history is None or empty <= 0:
            return None
        return self.history.run.end_to_end_rows_per_second / empty

    def p99_ratios(self) -> dict[str, float | None]:
        """Each read call's p99 after the history over its p99 on an empty database (the empty sides' mean)."""
        if self.history is None:
            return {}
        before: dict[str, list[float]] = {}
        for side in self.empty_sides:
            for read in side.reads:
                before.setdefault(read.call, []).append(read.p99_ms)
        return {read.call: (read.p99_ms / statistics.fmean(before[read.call])
                            if before.get(read.call) and statistics.fmean(before[read.call]) > 0 else None)
                for read in self.history.reads}


def _move_some_subscribers(database: DatabaseSettings, csv_path: Path) -> int:
    """Every ``CONFLICT_EVERY``-th row's user onto an offer the CSV never names: that row ends in conflict."""
    with csv_path.open(newline="", encoding="utf-8") as handle:
        rows = csv.reader(handle)
        next(rows)  # the header
        users = [row[0] for number, row in enumerate(rows, start=1) if number % CONFLICT_EVERY == 0]
    conn = connect(database, application_name="subshift-bench-history")
    try:
        with conn.cursor() as cur:
            cur.execute("UPDATE subscriptions SET offer_code = %s WHERE user_id = ANY(%s)", (_ELSEWHERE, users))
            moved = int(cur.rowcount)
        conn.commit()
    finally:
        conn.close()
    return moved


def _items(database: DatabaseSettings) -> int:
    conn = connect(database, application_name="subshift-bench-history")
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT coalesce(sum(staged + rows_rejected), 0) FROM migrations")
            (count,) = cur.fetchone()
        conn.rollback()
    finally:
        conn.close()
    return int(count)


def _reads(context: BenchContext, sampler: RssSampler, ghz: str, migration_id: str, *, calls: int,
           label: str) -> list[ReadLatency]:
    addr = f"127.0.0.1:{free_port()}"
    settings = context.settings.model_copy(update={"api": context.settings.api.model_copy(update={"addr": addr})})
    services = Services(context, settings, sampler, f"reads-{label}")
    requests: list[tuple[str, str, dict[str, object]]] = [
        (READS[0], "GetMigration", {"migration_id": migration_id}),
        (READS[1], "ListMigrationItems", {"migration_id": migration_id, "page_size": 100}),
        (READS[2], "ListMigrationItems", {"migration_id": migration_id, "page_size": 100,
                                          "outcome": "ITEM_OUTCOME_CONFLICT"}),
    ]
    with services.session():
        services.start("api", f"api-reads-{label}")
        services.wait_api(addr)
        results = []
        for call, method, data in requests:
            measure_reads(ghz, call=call, method=method, data=data, addr=addr, token=context.token, calls=2,
                          output=context.directory / f"ghz-reads-{label}-warmup.json")
            slug = call.lower().replace(", ", "-").replace(" ", "-")
            results.append(measure_reads(ghz, call=call, method=method, data=data, addr=addr, token=context.token,
                                         calls=calls, output=context.directory / f"ghz-reads-{label}-{slug}.json"))
    return results


def _side(context: BenchContext, sampler: RssSampler, options: BenchOptions, ghz: str, *, label: str,
          say: Say) -> HistorySide:
    database = context.settings.database
    load_demo_data(database, context.catalog, context.population, force=True)
    _move_some_subscribers(database, context.csv_path)
    vacuumed = vacuum_pipeline_tables(database)
    items = _items(database)
    say(f"history stage, {label}: end to end, {context.rows:,} rows on {items:,} items of history")
    run = end_to_end(context, sampler, consumers=options.e2e_consumers, timeout=options.timeout_seconds,
                     label=f"history-{label}")
    vacuumed += vacuum_pipeline_tables(database)
    say(f"history stage, {label}: {options.read_calls} of each read call, one after another")
    reads = _reads(context, sampler, ghz, run.migration_id, calls=options.read_calls, label=label)
    return HistorySide(items_before=items, run=run, reads=reads, vacuum_seconds=round(vacuumed, 2))


def history_stage(context: BenchContext, sampler: RssSampler, options: BenchOptions, ghz: str, *,
                  fresh_database: Callable[[], None], say: Say,
                  checkpoint: Callable[[HistoryRun], None] = lambda _: None) -> HistoryRun:
    """Both sides of the comparison; ``fresh_database`` empties the bench database (drops and creates it)."""
    say("history stage: making the bench database anew (no migration at all)")
    fresh_database()
    result = HistoryRun(empty=_side(context, sampler, options, ghz, label="empty", say=say))
    checkpoint(result)
    say(f"history stage: seeding {options.history_migrations} finished migrations, "
        f"{options.history_rows:,} items in all")
    offers = tuple(offer.code for offer in context.catalog.active)
    result.seed = seed_history(context.settings.database, rows=options.history_rows,
                               migrations=options.history_migrations, offers=offers,
                               users=context.population.size)
    result.history = _side(context, sampler, options, ghz, label="history", say=say)
    checkpoint(result)
    say("history stage: making the bench database anew, for the empty side once more")
    fresh_database()
    result.empty_again = _side(context, sampler, options, ghz, label="empty-again", say=say)
    return result
