"""`subshift seed --csv-only` writes the file and reports what it wrote, without a database."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from subshift.cli.main import app


def test_csv_only_reports_rows_bad_rows_and_expected_counts_as_json(tmp_path: Path) -> None:
    target = tmp_path / "m.csv"
    result = CliRunner().invoke(
        app,
        ["seed", "--subscribers", "2000", "--csv", str(target), "--rows", "1500", "--bad-rows", "5",
         "--csv-only", "--output", "json"],
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["database"] is None
    assert report["csv"]["rows"] == 1500 and report["csv"]["bad_rows"] == 5
    assert report["expected"] == {"rows_received": 1500, "rows_rejected": 5, "staged": 1495, "applied": 1495}
    assert sum(report["offers"]["subscribers_per_offer"].values()) == 2000
    assert len(target.read_text(encoding="utf-8").splitlines()) == 1501


def test_csv_without_rows_is_a_usage_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["seed", "--subscribers", "10", "--csv", str(tmp_path / "m.csv"), "--csv-only"])
    assert result.exit_code == 2
    assert "--rows" in result.output
