"""The bench reports its end-to-end runs by size and the history stage's sides, side by side with their ratios.

The smallest size runs twice (before and after the larger ones) and the empty side of the history twice
(before and after the history side): each ratio is over the mean of the two, so drift cancels."""

from __future__ import annotations

import io
import json

import pytest
from rich.console import Console

from subshift_tooling.bench.history import HistoryRun, HistorySide
from subshift_tooling.bench.history_seed import HistorySeed
from subshift_tooling.bench.latency import ReadLatency
from subshift_tooling.bench.machine import Machine
from subshift_tooling.bench.options import BenchOptions
from subshift_tooling.bench.pipeline_run import PipelineRun
from subshift_tooling.bench.render import render
from subshift_tooling.bench.report import BenchReport, targets
from subshift_tooling.readme import performance_table


def _run(rows: int, seconds: float, postgres: float) -> PipelineRun:
    return PipelineRun(consumers=2, rows=rows, staged=rows, state="succeeded", migration_id=f"m{rows}",
                       upload_seconds=1.0, published_all_seconds=seconds / 2, end_to_end_seconds=seconds,
                       publish_rows_per_second=None, apply_rows_per_second=None,
                       peak_rss_mb={"api": 120.0, "relay": 90.0, "consumer-1": 80.0, "consumer-2": 81.0},
                       server_cpu_seconds={"postgres": postgres})


def _reads(p99: float) -> list[ReadLatency]:
    return [ReadLatency(call=call, requests=100, errors=0, p50_ms=p99 / 2, p90_ms=p99 * 0.8, p99_ms=p99,
                        mean_ms=p99 / 2, slowest_ms=p99 * 1.2)
            for call in ("GetMigration", "ListMigrationItems, first page of conflict")]


def _report() -> BenchReport:
    sizes = [_run(10_000_000, 500.0, 600.0), _run(1_000_000, 40.0, 55.0)]  # the first size need not be the smallest
    history = HistoryRun(
        empty=HistorySide(items_before=0, run=_run(1_000_000, 40.0, 55.0), reads=_reads(2.0)),
        history=HistorySide(items_before=31_000_000, run=_run(1_000_000, 50.0, 60.0), reads=_reads(3.0)),
        seed=HistorySeed(migrations=52, rows=30_000_000, conflicts=30_000, seconds=300.0),
        empty_again=HistorySide(items_before=0, run=_run(1_000_000, 40.0, 55.0), reads=_reads(2.0)))
    return BenchReport(started_at="20270102T030405Z", options=BenchOptions(sizes=(10_000_000, 1_000_000)),
                       machine=Machine(cpu_model="Test CPU", cores=2, ram_gb=8.0, python="3.11.9", kernel="6.1"),
                       load_before=(0.0, 0.0, 0.0), end_to_end=sizes[0], sizes=sizes, history=history,
                       smallest_again=_run(1_000_000, 40.0, 55.0),
                       subscribers={10_000_000: 10_000_000, 1_000_000: 1_000_000})


def test_each_sizes_rate_is_given_over_the_smallest_sizes_rate() -> None:
    data = json.loads(json.dumps(_report().to_json()))
    by_rows = {run["rows"]: run for run in data["sizes"]}
    assert by_rows[1_000_000]["end_to_end_rows_per_second"] == 25_000
    assert by_rows[1_000_000]["rate_over_smallest"] == 1.0
    assert by_rows[10_000_000]["rate_over_smallest"] == 0.8
    assert data["smallest_again"]["rows"] == 1_000_000
    assert by_rows[10_000_000]["peak_rss_mb"] == {"api": 120.0, "relay": 90.0, "consumer-1": 80.0,
                                                  "consumer-2": 81.0}
    assert by_rows[10_000_000]["postgres_micros_per_row"] == 60.0
    assert by_rows[1_000_000]["subscribers"] == 1_000_000
    assert data["options"]["rows"] == 10_000_000 and data["options"]["sizes"] == [10_000_000, 1_000_000]


def test_the_history_stage_gives_both_sides_and_their_ratios() -> None:
    history = json.loads(json.dumps(_report().to_json()))["history"]
    assert history["rate_ratio_history_over_empty"] == 0.8
    assert history["p99_ratio_history_over_empty"] == {"GetMigration": 1.5,
                                                       "ListMigrationItems, first page of conflict": 1.5}
    assert history["seed"]["rows"] == 30_000_000
    assert history["history"]["items_before"] == 31_000_000
    assert history["empty"]["reads"][1]["p99_ms"] == 2.0


def test_the_ratios_are_over_the_mean_of_the_bracketing_runs() -> None:
    report = _report()
    report.smallest_again = _run(1_000_000, 50.0, 60.0)  # the machine slowed: 20,000 rows/s after, 25,000 before
    assert report.size_ratios()[10_000_000] == pytest.approx(20_000 / 22_500)
    history = report.history
    assert history is not None
    history.empty_again = HistorySide(items_before=0, run=_run(1_000_000, 50.0, 60.0), reads=_reads(4.0))
    assert history.rate_ratio() == pytest.approx(20_000 / 22_500)
    assert history.p99_ratios()["GetMigration"] == pytest.approx(3.0 / 3.0)


def test_the_scale_targets_are_checked_when_the_run_has_them() -> None:
    by_name = {target.name: target for target in targets(_report())}
    assert by_name["end to end, 10,000,000 rows ÷ 1,000,000 rows"].met is False  # 0.8 against 0.95
    assert by_name["end to end, 10,000,000 rows ÷ 1,000,000 rows"].goal == ">= 0.95 ratio"
    assert by_name["end to end after history ÷ empty database"].met is False
    assert by_name["ListMigrationItems, first page of conflict p99 (1,000,000 rows), slowest side"].measured == 3.0
    assert by_name["ListMigrationItems, first page of conflict p99 (1,000,000 rows), slowest side"].met is True


def test_a_history_stage_cut_short_has_no_ratio() -> None:
    run = HistoryRun(empty=HistorySide(items_before=0, run=_run(1_000, 1.0, 1.0), reads=_reads(2.0)))
    assert run.rate_ratio() is None and run.p99_ratios() == {}


def test_the_tables_show_sizes_side_by_side_and_the_history() -> None:
    out = io.StringIO()
    render(_report(), Console(file=out, width=200))
    text = out.getvalue()
    assert "10,000,000 rows" in text and "÷ the smallest size's rate" in text and "1,000,000 rows again" in text
    assert "empty again" in text
    assert "peak RSS MB, consumer-2" in text
    assert "ListMigrationItems, first page of conflict, p99 ms" in text


def test_the_readme_table_adds_the_sizes_and_the_history_when_the_run_has_them() -> None:
    table = performance_table(json.loads(json.dumps(_report().to_json())))
    assert ("| end to end by upload size: rows/s (÷ the smallest size's, the mean of its runs) | "
            "10,000,000: 20,000 (0.80) / 1,000,000: 25,000 (1.00) |  |") in table
    assert ("| end to end after 30,000,000 items of history / on an empty database (before / after), rows/s | "
            "20,000 / 25,000 / 25,000 (÷ 0.80) |  |") in table
    assert ("| `ListMigrationItems, first page of conflict` p99, after history / empty | 3.0 / 2.0 / 2.0 ms |  |"
            in table)


@pytest.mark.parametrize("sizes", [(1_000,), (5_000, 1_000)])
def test_the_first_size_is_the_rows_of_every_other_stage(sizes: tuple[int, ...]) -> None:
    options = BenchOptions(sizes=sizes)
    assert options.rows == sizes[0]
    assert options.subscriber_count == sizes[0]
    assert [options.subscribers_for(rows) for rows in sizes] == list(sizes)  # one subscriber per row
    more = BenchOptions(sizes=sizes, subscribers=3_000)
    assert [more.subscribers_for(rows) for rows in sizes] == [max(3_000, rows) for rows in sizes]
