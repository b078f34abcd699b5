"""A bench run's results: one value holding every measurement, its JSON form and its checks against targets."""

from __future__ import annotations

import dataclasses
import statistics
from dataclasses import dataclass, field
from typing import Any

from subshift_tooling.bench.baseline_avro import AvroBaseline
from subshift_tooling.bench.baseline_kafka import KafkaBaseline
from subshift_tooling.bench.baseline_postgres import PostgresBaseline
from subshift_tooling.bench.cpu_budget import CpuBudget
from subshift_tooling.bench.history import READS, HistoryRun, HistorySide
from subshift_tooling.bench.latency import LatencyResult
from subshift_tooling.bench.machine import Machine
from subshift_tooling.bench.memory import MemoryRun
from subshift_tooling.bench.options import BenchOptions
from subshift_tooling.bench.parse_validate import ParseValidate
from subshift_tooling.bench.pipeline_run import PipelineRun, ScalingRun
from subshift_tooling.bench.profiling import Profile

__all__ = ["BenchReport", "Target", "targets"]


@dataclass
class BenchReport:
    started_at: str
    options: BenchOptions
    machine: Machine
    load_before: tuple[float, float, float]
    load_after: tuple[float, float, float] = (0.0, 0.0, 0.0)
    seconds: float = 0.0
    seed_seconds: float = 0.0
    csv_bytes: int = 0
    parse_validate: ParseValidate | None = None
    end_to_end: PipelineRun | None = None
    avro: AvroBaseline | None = None
    kafka: KafkaBaseline | None = None
    postgres: PostgresBaseline | None = None
    scaling: list[ScalingRun] = field(default_factory=list)
    latency: list[LatencyResult] = field(default_factory=list)
    memory: MemoryRun | None = None
    notes: list[str] = field(default_factory=list)
    vacuum_seconds: dict[str, float] = field(default_factory=dict)  # before each stage, by stage (``settle``)
    tuning: dict[str, Any] = field(default_factory=dict)  # relay, consumer and ingest settings of the run
    latency_profiles: dict[str, Profile] = field(default_factory=dict)
    sizes: list[PipelineRun] = field(default_factory=list)  # end to end per size, the first size's included
    # The smallest size once more, after the others (on its own subscribers again): with its first run,
    # it brackets the larger ones, so the machine's drift between them does not count as their cost.
    smallest_again: PipelineRun | None = None
    subscribers: dict[int, int] = field(default_factory=dict)  # seeded for each size's run, by size
    history: HistoryRun | None = None

    def smallest_rate(self) -> float | None:
        """The smallest size's end-to-end rate: the mean of its runs before and after the larger sizes."""
        if not self.sizes:
            return None
        smallest = min(self.sizes, key=lambda run: run.rows)
        runs = [smallest] + ([self.smallest_again] if self.smallest_again else [])
        return statistics.fmean(run.end_to_end_rows_per_second for run in runs)

    def size_ratios(self) -> dict[int, float | None]:
        """Each size's end-to-end rate over the smallest size's (1.0: as fast per row at every size)."""
        smallest = self.smallest_rate()
        return {run.rows: (run.end_to_end_rows_per_second / smallest if smallest else None) for run in self.sizes}

    def ratios(self) -> dict[str, float | None]:
        """End-to-end rate over the transport and database floors (1.0 would be as fast as the floor)."""
        e2e = self.end_to_end.end_to_end_rows_per_second if self.end_to_end else None
        kafka = self.kafka.rows_per_second if self.kafka else None
        postgres = self.postgres.rows_per_second if self.postgres else None
        floors = [rate for rate in (kafka, postgres) if rate]
        return {
            "end_to_end_over_min_kafka_postgres": round(e2e / min(floors), 4) if e2e and floors else None,
            "end_to_end_over_postgres": round(e2e / postgres, 4) if e2e and postgres else None,
        }

    def cpu_budgets(self) -> dict[str, CpuBudget]:
        """Where the CPU went in the end-to-end run (first byte → last outcome) and in each scaling run
        (its consumers' start, start-up included → last outcome)."""
        cores = self.machine.cores
        budgets: dict[str, CpuBudget] = {}
        if (e2e := self.end_to_end) is not None:
            budgets["end to end"] = CpuBudget.of(rows=e2e.staged, seconds=e2e.end_to_end_seconds, cores=cores,
                                                 cpu={**e2e.cpu_seconds, **e2e.server_cpu_seconds})
        for run in self.scaling:
            budgets[f"apply, {run.consumers} consumer(s)"] = CpuBudget.of(
                rows=run.staged, seconds=run.seconds, cores=cores, cpu={**run.cpu_seconds, **run.server_cpu_seconds})
        return budgets

    def all_profiles(self) -> dict[str, Profile]:
        """Profiles by service: the end-to-end run's, then the latency run's API (``api-latency-…``)."""
        return {**(self.end_to_end.profiles if self.end_to_end else {}), **self.latency_profiles}

    def to_json(self) -> dict[str, Any]:
        return {
            "started_at": self.started_at,
            "seconds": round(self.seconds, 1),
            "options": {**dataclasses.asdict(self.options), "rows": self.options.rows},
            "tuning": self.tuning,
            "machine": {**dataclasses.asdict(self.machine), "load_before": self.load_before,
                        "load_after": self.load_after},
            "seed": {"seconds": round(self.seed_seconds, 2), "csv_bytes": self.csv_bytes},
            "vacuum_seconds": self.vacuum_seconds,
            "stages": _stages(self),
            "baselines": _baselines(self),
            "ratios": self.ratios(),
            "scaling": [_with_properties(run) for run in self.scaling],
            "cpu_budgets": {name: {"busy_cores": round(budget.busy_cores, 3), "cores": budget.cores,
                                   "cpu_bound": budget.cpu_bound,
                                   "micros_per_row": {k: round(v, 1) for k, v in budget.micros_per_row().items()},
                                   "verdict": budget.verdict()}
                            for name, budget in self.cpu_budgets().items()},
            "latency": [dataclasses.asdict(result) for result in self.latency],
            "memory": _with_properties(self.memory) if self.memory else None,
            "sizes": _sizes(self),
            "smallest_again": _with_properties(self.smallest_again) if self.smallest_again else None,
            "history": _history(self.history) if self.history else None,
            "profiles": {name: dataclasses.asdict(profile) for name, profile in self.all_profiles().items()},
            "targets": [dataclasses.asdict(target) for target in targets(self)],
            "notes": self.notes,
        }


def _round(value: Any) -> Any:
    return round(value, 3) if isinstance(value, float) else value


def _with_properties(value: Any) -> dict[str, Any]:
    data = {k: _round(v) for k, v in dataclasses.asdict(value).items() if k != "profiles"}
    for name in dir(type(value)):
        if isinstance(getattr(type(value), name), property):
            data[name] = _round(getattr(value, name))
    return data


def _stages(report: BenchReport) -> dict[str, Any]:
    e2e = report.end_to_end
    return {
        "parse_validate": _with_properties(report.parse_validate) if report.parse_validate else None,
        "end_to_end": _with_properties(e2e) if e2e else None,
    }


def _sizes(report: BenchReport) -> list[dict[str, Any]]:
    """The end-to-end runs side by side: rate, its ratio to the smallest size's, each process's peak RSS."""
    ratios = report.size_ratios()
    return [{"rows": run.rows, "subscribers": report.subscribers.get(run.rows), "staged": run.staged,
             "state": run.state,
             "end_to_end_seconds": _round(run.end_to_end_seconds),
             "end_to_end_rows_per_second": _round(run.end_to_end_rows_per_second),
             "rate_over_smallest": None if ratios[run.rows] is None else round(ratios[run.rows] or 0.0, 4),
             "publish_rows_per_second": _round(run.publish_rows_per_second),
             "apply_rows_per_second": _round(run.apply_rows_per_second),
             "peak_rss_mb": run.peak_rss_mb, "rss_first_last_mb": run.rss_first_last_mb,
             "postgres_micros_per_row": _round(run.postgres_micros_per_row),
             "postgres_cpu_by_session": run.postgres_cpu_by_session,
             "cpu_seconds": run.cpu_seconds, "server_cpu_seconds": run.server_cpu_seconds,
             "database_outage_seconds": run.database_outage_seconds}
            for run in report.sizes]


def _history_side(side: HistorySide) -> dict[str, Any]:
    return {"items_before": side.items_before, "vacuum_seconds": side.vacuum_seconds,
            "end_to_end": _with_properties(side.run), "reads": [dataclasses.asdict(read) for read in side.reads]}


def _history(history: HistoryRun) -> dict[str, Any]:
    ratio = history.rate_ratio()
    return {
        "seed": dataclasses.asdict(history.seed) if history.seed else None,
        "empty": _history_side(history.empty),
        "history": _history_side(history.history) if history.history else None,
        "empty_again": _history_side(history.empty_again) if history.empty_again else None,
        "rate_ratio_history_over_empty": None if ratio is None else round(ratio, 4),
        "p99_ratio_history_over_empty": {call: None if value is None else round(value, 3)
                                         for call, value in history.p99_ratios().items()},
    }


def _baselines(report: BenchReport) -> dict[str, Any]:
    return {
        "kafka": _with_properties(report.kafka) if report.kafka else None,
        "postgres": _with_properties(report.postgres) if report.postgres else None,
        "avro": _with_properties(report.avro) if report.avro else None,
    }


@dataclass(frozen=True)
class Target:
    name: str
    goal: str
    measured: float | None
    met: bool | None  # None: not measured in this run


def _goal(goal: float) -> str:
    return f"{goal:,.0f}" if goal >= 100 else f"{goal:g}"


def _at_least(name: str, goal: float, measured: float | None, unit: str) -> Target:
    return Target(name, f">= {_goal(goal)} {unit}", _round(measured),
                  None if measured is None else measured >= goal)


def _at_most(name: str, goal: float, measured: float | None, unit: str) -> Target:
    return Target(name, f"<= {_goal(goal)} {unit}", _round(measured),
                  None if measured is None else measured <= goal)


def targets(report: BenchReport) -> list[Target]:
    """The issue's targets, each checked against what this run measured."""
    e2e = report.end_to_end
    one_consumer = next((run for run in report.scaling if run.consumers == 1), None)
    at_500 = next((r for r in report.latency if r.server == "subshift" and r.target_rps == 500), None)
    alone = [run.publish_rows_per_second for run in report.scaling if run.publish_rows_per_second is not None]
    relay_alone = statistics.median(alone) if alone else None
    return [
        _at_least("end to end (1M rows in 60 s)", 1_000_000 / 60, e2e.end_to_end_rows_per_second if e2e else None,
                  "rows/s"),
        _at_least("parse + validate", 200_000,
                  report.parse_validate.rows_per_second if report.parse_validate else None, "rows/s"),
        _at_least("relay publish (alone, median of the backlogs)", 50_000, relay_alone, "rows/s"),
        _at_least("consume + apply (1 consumer)", 30_000,
                  one_consumer.apply_rows_per_second if one_consumer else None, "rows/s"),
        _at_most("API peak RSS, streaming dry run", 300, report.memory.peak_rss_mb if report.memory else None, "MB"),
        _at_most("GetMigration p99 at 500 req/s", 10, at_500.p99_ms if at_500 else None, "ms"),
        Target("end to end ÷ PostgreSQL baseline", ">= 0.3", report.ratios()["end_to_end_over_postgres"],
               None if report.ratios()["end_to_end_over_postgres"] is None
               else (report.ratios()["end_to_end_over_postgres"] or 0) >= 0.3),
        *_scale_targets(report),
    ]


def _scale_targets(report: BenchReport) -> list[Target]:
    """The sizes' and the history's targets, when the run has those stages."""
    found: list[Target] = []
    ratios = report.size_ratios()
    if len(report.sizes) > 1:
        smallest = min(report.sizes, key=lambda run: run.rows)
        largest = max(report.sizes, key=lambda run: run.rows)
        found.append(_at_least(f"end to end, {largest.rows:,} rows ÷ {smallest.rows:,} rows", 0.95,
                               ratios[largest.rows], "ratio"))
    history = report.history
    if history is not None and history.history is not None:
        found.append(_at_least("end to end after history ÷ empty database", 0.90, history.rate_ratio(), "ratio"))
        by_outcome = [read.p99_ms for side in (*history.empty_sides, history.history) for read in side.reads
                      if read.call == READS[2]]
        found.append(_at_most(f"{READS[2]} p99 ({history.empty.run.rows:,} rows), slowest side", 50,
                              max(by_outcome, default=None), "ms"))
    return found
