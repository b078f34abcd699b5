"""`subshift migrate` against a live Subshift: tables and JSON, progress to the end, exit codes, and errors
as a sentence plus row details, never a traceback."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from client_package.live import LiveSubshift, live_subshift
from subshift.config import Settings
from subshift_tooling.seeding import CsvSummary, build_catalog, build_population, load_demo_data, write_migration_csv

pytestmark = pytest.mark.integration

SUBSCRIBERS, ROWS, BAD_ROWS = 2000, 300, 5


@dataclass(frozen=True)
class Cli:
    live: LiveSubshift
    files: Path
    moves: CsvSummary

    def __call__(self, *args: str, role: str = "operator") -> subprocess.CompletedProcess[str]:
        env = {**self.live.env, "SUBSHIFT_TOKEN": self.live.token(role), "COLUMNS": "160"}
        return subprocess.run([sys.executable, "-m", "subshift", "migrate", *args], env=env, capture_output=True,
                              text=True, timeout=300, check=False)


@pytest.fixture(scope="module")
def cli(settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cli]:
    files = tmp_path_factory.mktemp("migrate-cli")
    with live_subshift(settings, files) as live:
        catalog = build_catalog(10)
        population = build_population(catalog, subscribers=SUBSCRIBERS, seed=3)
        load_demo_data(live.database, catalog, population)
        moves = write_migration_csv(files / "moves.csv", catalog=catalog, population=population, rows=ROWS,
                                    bad_rows=BAD_ROWS, seed=3)
        yield Cli(live, files, moves)


def _no_traceback(run: subprocess.CompletedProcess[str]) -> None:
    assert "Traceback" not in run.stdout + run.stderr


def test_an_upload_with_too_many_bad_rows_is_refused_with_a_table_of_rows_and_exit_1(cli: Cli) -> None:
    run = cli("upload", str(cli.files / "moves.csv"))
    assert run.returncode == 1
    assert "error:" in run.stderr
    for rule in ("unknown_offer", "same_offer", "user_id_format", "duplicate_user", "inactive_offer"):
        assert rule in run.stderr
    assert str(cli.moves.bad_row_numbers[0]) in run.stderr
    _no_traceback(run)


def test_a_dry_run_reports_and_stages_nothing(cli: Cli) -> None:
    run = cli("upload", str(cli.files / "moves.csv"), "--dry-run", "--output", "json")
    assert run.returncode == 1, run.stderr  # as the upload would: refused, --max-rejected defaults to 0
    assert json.loads(run.stdout)["verdict"]["accepted"] is False
    report = json.loads(run.stdout)["report"]
    assert (report["rows_valid"], report["rows_rejected"]) == (ROWS - BAD_ROWS, BAD_ROWS)
    assert sum(report["current_offer_population"].values()) > 0
    assert sum(move["rows"] for move in report["moves"]) == ROWS - BAD_ROWS


def test_upload_wait_get_items_results_and_revert(cli: Cli) -> None:
    run = cli("upload", str(cli.files / "moves.csv"), "--max-rejected", str(BAD_ROWS), "--wait", "--output", "json",
              "--idempotency-key", "cli-test-upload")
    assert run.returncode == 0, run.stderr
    migration = json.loads(run.stdout)["migration"]
    good = ROWS - BAD_ROWS
    assert migration["state"] == "succeeded"
    assert (migration["counts"]["applied"], migration["counts"]["rows_rejected"]) == (good, BAD_ROWS)
    migration_id = migration["migration_id"]

    again = cli("upload", str(cli.files / "moves.csv"), "--max-rejected", str(BAD_ROWS), "--output", "json",
                "--idempotency-key", "cli-test-upload")
    assert json.loads(again.stdout)["migration"]["migration_id"] == migration_id

    shown = cli("get", migration_id, role="viewer")
    assert shown.returncode == 0 and migration_id in shown.stdout and "succeeded" in shown.stdout
    listed = json.loads(cli("list", "--state", "succeeded", "--output", "json", role="viewer").stdout)
    assert migration_id in {entry["migration_id"] for entry in listed}
    rejected = json.loads(cli("items", migration_id, "--outcome", "rejected", "--output", "json").stdout)
    assert rejected["total"] == BAD_ROWS
    assert [item["row"] for item in rejected["items"]] == cli.moves.bad_row_numbers

    results = cli("results", migration_id, "-o", str(cli.files / "results.csv"), role="viewer")
    assert results.returncode == 0, results.stderr
    assert len((cli.files / "results.csv").read_text(encoding="utf-8").splitlines()) == ROWS + 1

    cancelled = cli("cancel", migration_id)
    assert cancelled.returncode == 1 and "error:" in cancelled.stderr
    _no_traceback(cancelled)

    reverted = cli("revert", migration_id, "--wait", "--output", "json")
    assert reverted.returncode == 0, reverted.stderr
    undone = json.loads(reverted.stdout)
    assert undone["reverts_migration_id"] == migration_id
    assert undone["counts"]["applied"] == good


def test_a_viewer_may_not_upload_and_is_told_why(cli: Cli) -> None:
    run = cli("upload", str(cli.files / "moves.csv"), "--dry-run", role="viewer")
    assert run.returncode == 1
    assert "permission_denied" in run.stderr
    _no_traceback(run)


def test_an_unreachable_api_exits_3_and_a_bad_flag_exits_2(cli: Cli) -> None:
    unreachable = cli("list", "--addr", "127.0.0.1:1")
    assert unreachable.returncode == 3 and "cannot reach the API" in unreachable.stderr
    _no_traceback(unreachable)
    assert cli("list", "--state", "bogus").returncode == 2
