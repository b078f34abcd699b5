"""The docs' generated sections (CLI and configuration reference, the README's performance table) match the code
and the committed bench report."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from subshift.errors import ContractError
from subshift_tooling.readme import (
    BENCH_REPORT,
    DOCUMENTS,
    REPO,
    generated_sections,
    performance_table,
    read_section,
    replace_section,
)
from subshift_tooling.readme.__main__ import main

NAMES = ("cli", "config", "performance")


@pytest.fixture(scope="module")
def sections() -> dict[str, str]:
    return generated_sections()


def test_the_generated_sections_are_the_ones_tested(sections: dict[str, str]) -> None:
    assert sorted(sections) == sorted(NAMES) == sorted(DOCUMENTS)


@pytest.mark.parametrize("name", NAMES)
def test_generated_section_is_current(name: str, sections: dict[str, str]) -> None:
    current = read_section((REPO / DOCUMENTS[name]).read_text(encoding="utf-8"), name)
    assert current == sections[name], (
        f"{DOCUMENTS[name]}'s generated section {name!r} is stale: run `.venv/bin/python -m subshift_tooling.readme`"
    )


def test_the_check_command_passes_on_the_committed_docs() -> None:
    assert main(["--check"]) == 0


def test_the_references_live_in_docs_and_the_performance_table_in_the_readme() -> None:
    expected = {"cli": Path("docs/reference/cli.md"), "config": Path("docs/reference/config.md"),
                "performance": Path("README.md")}
    assert expected == DOCUMENTS


def test_every_setting_has_a_row_in_the_configuration_table(sections: dict[str, str]) -> None:
    table = sections["config"]
    for variable in ("SUBSHIFT_API_ADDR", "SUBSHIFT_DATABASE_URL", "SUBSHIFT_STACK_POSTGRES_PORT",
                     "SUBSHIFT_INGEST_MAX_ROWS", "SUBSHIFT_CONSUMER_GROUP_ID"):
        assert f"`{variable}`" in table


def test_secrets_are_shown_without_their_value(sections: dict[str, str]) -> None:
    table = sections["config"]
    assert "subshift:subshift@" not in table
    assert "subshift-development-secret" not in table


def test_the_cli_reference_lists_every_migrate_command_with_its_example(sections: dict[str, str]) -> None:
    reference = sections["cli"]
    for command in ("upload", "get", "list", "watch", "cancel", "revert", "results"):
        assert f"`subshift migrate {command}`" in reference
    assert "Example: subshift migrate upload moves.csv" in reference


def test_the_performance_table_shows_the_committed_reports_run_and_its_end_to_end(sections: dict[str, str]) -> None:
    report = json.loads((REPO / BENCH_REPORT).read_text(encoding="utf-8"))
    table = sections["performance"]
    assert f"Run `{report['started_at']}`" in table
    assert f"{report['stages']['end_to_end']['end_to_end_rows_per_second']:,.0f}" in table
    rows = [i for i, line in enumerate(table.splitlines()) if line.startswith("|")]
    # One table: its header, its rule and at least the 18 measures of every run (sizes and history add theirs).
    assert len(rows) >= 20 and rows == list(range(rows[0], rows[0] + len(rows))), table


def test_a_stage_the_run_skipped_shows_as_a_dash_not_an_error() -> None:
    table = performance_table({"started_at": "20270101T000000Z", "options": {"rows": 1000}})
    assert "| parse + validate (in process), rows/s | — |" in table
    assert "Run `20270101T000000Z` (2027-01-01 00:00 UTC): 1,000 rows" in table


def test_the_runs_notes_follow_the_table() -> None:
    table = performance_table({"notes": ["stopped early: the database failed"]})
    assert table.endswith("\n\nThe run's notes:\n\n- stopped early: the database failed\n")


def test_a_target_missed_is_marked_as_missed() -> None:
    table = performance_table({"targets": [{"name": "parse + validate", "goal": ">= 200,000 rows/s",
                                            "measured": 10, "met": False}],
                               "stages": {"parse_validate": {"rows_per_second": 10}}})
    assert "| parse + validate (in process), rows/s | 10 | ≥ 200,000 rows/s ✗ |" in table


def test_an_unknown_argument_is_a_usage_error() -> None:
    assert main(["--bench"]) == 2
    assert main(["--bench", "/nonexistent/report.json"]) == 2


def test_replacing_a_section_keeps_its_markers_and_the_text_around_them() -> None:
    text = "intro\n<!-- BEGIN GENERATED: x (tool) -->\nold\n<!-- END GENERATED: x -->\noutro\n"
    replaced = replace_section(text, "x", "new\n")
    assert replaced == "intro\n<!-- BEGIN GENERATED: x (tool) -->\nnew\n<!-- END GENERATED: x -->\noutro\n"
    assert read_section(replaced, "x") == "new\n"
    with pytest.raises(ContractError):
        read_section(text, "y")


def test_a_report_as_the_bench_writes_it_fills_every_row() -> None:
    """The table reads the bench's JSON layout (``BenchReport.to_json``), not a copy of it that could drift."""
    from subshift_tooling.bench.baseline_avro import AvroBaseline
    from subshift_tooling.bench.baseline_kafka import KafkaBaseline
    from subshift_tooling.bench.baseline_postgres import PostgresBaseline
    from subshift_tooling.bench.latency import LatencyResult
    from subshift_tooling.bench.machine import Machine
    from subshift_tooling.bench.memory import MemoryRun
    from subshift_tooling.bench.options import BenchOptions
    from subshift_tooling.bench.parse_validate import ParseValidate
    from subshift_tooling.bench.pipeline_run import PipelineRun, ScalingRun
    from subshift_tooling.bench.report import BenchReport

    rows = 1_000_000
    report = BenchReport(
        started_at="20270102T030405Z", options=BenchOptions(), load_before=(0.0, 0.0, 0.0),
        machine=Machine(cpu_model="Test CPU", cores=2, ram_gb=8.0, python="3.11.9", kernel="6.1"),
        parse_validate=ParseValidate(rows=rows, valid=rows, seconds=2.0),
        end_to_end=PipelineRun(consumers=2, rows=rows, staged=rows, state="succeeded", migration_id="m",
                               upload_seconds=5.0, published_all_seconds=30.0, end_to_end_seconds=40.0,
                               publish_rows_per_second=30_000.0, apply_rows_per_second=29_000.0,
                               cpu_seconds={"relay": 10.0, "consumer-1": 10.0}, server_cpu_seconds={"postgres": 30.0}),
        avro=AvroBaseline(rows=rows, event_bytes=120.0, encode_per_second=90_000.0, decode_per_second=91_000.0,
                          typed_encode_per_second=100_000.0, typed_decode_per_second=80_000.0,
                          datum_encode_per_second=150_000.0, datum_decode_per_second=160_000.0),
        kafka=KafkaBaseline(rows=rows, value_bytes=120.0, produce_seconds=5.0, consume_seconds=5.0),
        postgres=PostgresBaseline(rows=rows, updated=rows, copy_seconds=2.0, update_seconds=2.0),
        scaling=[ScalingRun(consumers=n, staged=rows, seconds=40.0, apply_rows_per_second=30_000.0 + n,
                            publish_rows_per_second=50_000.0 + n, cpu_seconds={"consumer-1": 20.0},
                            server_cpu_seconds={"postgres": 20.0}) for n in (1, 2, 4)],
        latency=[LatencyResult(server=server, target_rps=rate, achieved_rps=rate, requests=rate * 10, errors=0,
                               p50_ms=1.0, p90_ms=2.0, p99_ms=3.0, mean_ms=1.2)
                 for server in ("subshift", "null") for rate in (100, 500)],
        memory=MemoryRun(rows=10 * rows, rows_valid=10 * rows, seconds=50.0, peak_rss_mb=140.0,
                         rss_first_last_mb=(100.0, 140.0)),
    )
    table = performance_table(json.loads(json.dumps(report.to_json())))
    assert "—" not in table
    assert ("| apply a backlog, 1 / 2 / 4 consumers | 30,001 / 30,002 / 30,004 | 1 consumer: ≥ 30,000 rows/s ✓ |"
            in table)
    assert "| **end to end** (first byte → every item has an outcome) | **25,000 (40.0 s)** |" in table
    assert "| publish, the relay alone on a staged backlog (median) | 50,002 |" in table
