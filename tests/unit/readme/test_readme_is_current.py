"""The docs' generated sections (CLI and configuration reference, the README's performance table) match the code
and the committed bench report."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from subshift.errors import ContractError
from subshift.readme import (
    BENCH_REPORT,
    DOCUMENTS,
    REPO,
    generated_sections,
    performance_table,
    read_section,
    replace_section,
)
from subshift.readme.__main__ import main

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
        f"{DOCUMENTS[name]}'s generated section {name!r} is stale: run `.venv/bin/python -m subshift.readme`"
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
    assert table.count("\n| ") == 19, "one header and 18 measures: one table"


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
