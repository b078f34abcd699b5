"""`subshift bench` runs every stage on the real stack and writes a well-formed JSON report.

Speed is never asserted here (numbers depend on the machine and its load); only that a small run
completes with every stage present and every row accounted for.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg2

from subshift.config import Settings

REPO = Path(__file__).resolve().parents[3]
ROWS = 10_000
LARGER = 20_000  # a second size: its own end-to-end run
HISTORY = 60_000  # items of history seeded before the history stage's second run


def test_small_bench_completes_and_writes_well_formed_json(settings: Settings, tmp_path: Path) -> None:
    database = f"subshift_bench_test_{uuid.uuid4().hex[:8]}"
    report_path = tmp_path / "report.json"
    command = [sys.executable, "-m", "subshift", "bench", "--rows", f"{ROWS},{LARGER}", "--consumers", "1,2",
               "--rates", "50,100", "--latency-seconds", "2", "--memory-rows", "30000", "--profile",
               "--history-rows", str(HISTORY), "--history-migrations", "3", "--read-calls", "10",
               "--database", database, "--report-file", str(report_path)]
    env = {**os.environ, "SUBSHIFT_STATE_DIR": str(tmp_path / "state")}
    try:
        finished = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, timeout=1200,
                                  check=False)
    finally:
        admin = psycopg2.connect(settings.database.libpq_dsn())
        admin.autocommit = True
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        admin.close()
    assert finished.returncode == 0, finished.stderr[-3000:]

    report = json.loads(report_path.read_text())
    e2e = report["stages"]["end_to_end"]
    assert e2e["state"] == "succeeded"
    assert e2e["staged"] == ROWS
    assert set(e2e["server_cpu_seconds"]) == {"postgres", "kafka", "registry"}
    assert e2e["server_cpu_seconds"]["postgres"] > 0  # it did the staging and the applying
    by_session = e2e["postgres_cpu_by_session"]  # whose work PostgreSQL's CPU was, adding up to its total
    assert by_session["subshift-consumer"] > 0 and by_session["subshift-api"] > 0
    assert abs(sum(by_session.values()) - e2e["server_cpu_seconds"]["postgres"]) <= 0.1 + 0.05 * sum(
        by_session.values())
    assert report["stages"]["parse_validate"]["valid"] == ROWS
    assert set(report["baselines"]) == {"kafka", "postgres", "avro"}
    assert report["baselines"]["postgres"]["updated"] == ROWS
    assert [run["consumers"] for run in report["scaling"]] == [1, 2]
    assert all(run["staged"] == ROWS for run in report["scaling"])
    assert all(run["publish_rows_per_second"] > 0 for run in report["scaling"])  # the relay alone, measured
    assert all(run["vacuum_seconds"] > 0 for run in report["scaling"])
    assert set(report["vacuum_seconds"]) == {"end to end", f"end to end, {LARGER:,} rows",
                                             f"end to end, {ROWS:,} rows again", "latency", "memory"}
    assert all(seconds >= 0 for seconds in report["vacuum_seconds"].values())
    assert all(run["server_cpu_seconds"]["postgres"] > 0 for run in report["scaling"])  # it did the applying
    budgets = report["cpu_budgets"]
    assert set(budgets) == {"end to end", "apply, 1 consumer(s)", "apply, 2 consumer(s)"}
    assert set(budgets["end to end"]["micros_per_row"]) >= {"api", "relay", "consumers", "postgres", "kafka"}
    assert all(b["busy_cores"] > 0 and b["verdict"].split(" (")[0] in {"CPU-bound", "not CPU-bound"}
               for b in budgets.values())
    assert {(r["server"], r["target_rps"]) for r in report["latency"]} == {
        ("subshift", 50), ("subshift", 100), ("null", 50), ("null", 100)}
    assert all(r["requests"] > 0 and r["errors"] == 0 for r in report["latency"])
    assert report["memory"]["rows_valid"] == 30_000
    assert set(report["profiles"]) >= {"api", "relay", "consumer-1"}
    assert report["machine"]["cores"] >= 1
    assert {target["name"] for target in report["targets"]} >= {
        "parse + validate", "relay publish (alone, median of the backlogs)",
        f"end to end, {LARGER:,} rows ÷ {ROWS:,} rows", "end to end after history ÷ empty database"}
    assert (tmp_path / "state" / "bench").is_dir()

    sizes = {run["rows"]: run for run in report["sizes"]}
    assert list(sizes) == [ROWS, LARGER]
    assert all(run["state"] == "succeeded" and run["staged"] == rows for rows, run in sizes.items())
    assert all(run["subscribers"] == rows for rows, run in sizes.items())  # one subscriber per row, each size
    assert sizes[ROWS]["rate_over_smallest"] > 0 and sizes[LARGER]["rate_over_smallest"] > 0
    again = report["smallest_again"]  # the smallest size once more, after the larger one
    assert again["rows"] == ROWS and again["staged"] == ROWS and again["state"] == "succeeded"
    assert all(set(run["peak_rss_mb"]) == {"api", "relay", "consumer-1", "consumer-2"} for run in sizes.values())
    assert all(run["postgres_micros_per_row"] > 0 for run in sizes.values())

    history = report["history"]
    assert history["seed"]["rows"] == HISTORY and history["seed"]["migrations"] == 3
    assert history["empty"]["items_before"] == 0
    assert history["history"]["items_before"] == HISTORY + ROWS  # the history and the empty side's upload
    assert history["empty_again"]["items_before"] == 0  # on a database made anew after the history side
    for side in ("empty", "history", "empty_again"):
        e2e = history[side]["end_to_end"]
        assert e2e["staged"] == ROWS and e2e["state"] == "succeeded_with_errors"  # the rare conflicts
        reads = history[side]["reads"]
        assert [read["call"] for read in reads] == ["GetMigration", "ListMigrationItems, first page",
                                                    "ListMigrationItems, first page of conflict"]
        assert all(read["requests"] == 10 and read["errors"] == 0 for read in reads)
    assert history["rate_ratio_history_over_empty"] > 0
    assert set(history["p99_ratio_history_over_empty"]) == {"GetMigration", "ListMigrationItems, first page",
                                                            "ListMigrationItems, first page of conflict"}
