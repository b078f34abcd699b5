"""The README's generated sections (configuration table, CLI reference) match the code."""

from __future__ import annotations

from pathlib import Path

import pytest

from subshift.errors import ContractError
from subshift.readme import generated_sections, read_section, replace_section

README = Path(__file__).resolve().parents[3] / "README.md"
NAMES = ("cli", "config")


@pytest.fixture(scope="module")
def sections() -> dict[str, str]:
    return generated_sections()


def test_the_generated_sections_are_the_ones_tested(sections: dict[str, str]) -> None:
    assert sorted(sections) == sorted(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_generated_section_is_current(name: str, sections: dict[str, str]) -> None:
    current = read_section(README.read_text(encoding="utf-8"), name)
    assert current == sections[name], (
        f"the README's generated section {name!r} is stale: run `.venv/bin/python -m subshift.readme`"
    )


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


def test_replacing_a_section_keeps_its_markers_and_the_text_around_them() -> None:
    text = "intro\n<!-- BEGIN GENERATED: x (tool) -->\nold\n<!-- END GENERATED: x -->\noutro\n"
    replaced = replace_section(text, "x", "new\n")
    assert replaced == "intro\n<!-- BEGIN GENERATED: x (tool) -->\nnew\n<!-- END GENERATED: x -->\noutro\n"
    assert read_section(replaced, "x") == "new\n"
    with pytest.raises(ContractError):
        read_section(text, "y")
