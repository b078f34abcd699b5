"""Tables fit 80 columns and a pipe: numbers and ids are never cut; columns drop in a stated order, or the
table turns vertical."""

from __future__ import annotations

import io
import re

import pytest
from rich.console import Console

from subshift.console.fit import Column, FittedTable
from subshift.console.tables import items_table, migrations_table
from subshift_client.migration_v1 import ItemOutcome, KafkaPosition, Migration, MigrationCounts, MigrationItem
from subshift_client.migration_v1 import MigrationState as S

ID = "0b7c3f1e-5a2d-4c8e-9f10-2b3c4d5e6f70"


def _migration(state: S.ValueType = S.MIGRATION_STATE_SUCCEEDED) -> Migration:
    migration = Migration(migration_id=ID, state=state, description="spring price change, wave one of three",
                          counts=MigrationCounts(rows_received=1_234_567, applied=1_234_560, rows_rejected=7,
                                                 conflicts=12_345))
    migration.create_time.FromSeconds(1_796_000_000)
    return migration


def _render(renderable: object, console: Console) -> list[str]:
    console.print(renderable)
    assert isinstance(console.file, io.StringIO)
    return console.file.getvalue().splitlines()


def _terminal(width: int) -> Console:
    return Console(file=io.StringIO(), width=width, force_terminal=True, color_system=None)


def _pipe(monkeypatch: pytest.MonkeyPatch) -> Console:
    monkeypatch.delenv("COLUMNS", raising=False)
    console = Console(file=io.StringIO())
    assert not console.is_terminal
    return console


def test_a_seven_digit_count_is_shown_whole_at_80_columns() -> None:
    lines = _render(migrations_table([_migration()]), _terminal(80))
    text = "\n".join(lines)
    assert "1,234,567" in text and "1,234,560" in text and ID in text
    assert max(len(line) for line in lines) <= 80


def test_a_seven_digit_count_is_shown_whole_in_a_pipe(monkeypatch: pytest.MonkeyPatch) -> None:
    lines = _render(migrations_table([_migration(S.MIGRATION_STATE_SUCCEEDED_WITH_ERRORS)]), _pipe(monkeypatch))
    text = "\n".join(lines)
    assert "1,234,567" in text and "1,234,560" in text and ID in text
    assert max(len(line) for line in lines) <= 80


def test_columns_that_do_not_fit_are_dropped_in_order_and_named() -> None:
    lines = _render(migrations_table([_migration()]), _terminal(100))
    text = "\n".join(lines)
    assert "not shown at this width: description" in text
    assert "12,345" in text  # errors stay while description goes first
    assert max(len(line) for line in lines) <= 100


def test_a_wide_terminal_shows_every_column() -> None:
    lines = _render(migrations_table([_migration()]), _terminal(200))
    assert "spring price change, wave one of three" in "\n".join(lines)
    assert "not shown" not in "\n".join(lines)


def test_a_narrow_terminal_gets_one_block_per_row_with_every_field() -> None:
    lines = _render(migrations_table([_migration()]), _terminal(60))
    fields = {m.group(1): m.group(2).strip() for m in (re.match(r"(\S[\w ()]*?)\s{2,}(.+)", line) for line in lines)
              if m}
    assert fields["rows"] == "1,234,567"
    assert fields["applied"] == "1,234,560"
    assert fields["errors"] == "12,345"
    assert fields["id"] == ID


def test_an_items_reason_folds_into_the_space_left_instead_of_one_word_per_line() -> None:
    reason = "the user is on OFFER-007 now, not on the file's current offer OFFER-003"
    item = MigrationItem(row_number=1_234_567, user_id="u0000001", current_offer="OFFER-003",
                         target_offer="OFFER-004", outcome=ItemOutcome.ITEM_OUTCOME_CONFLICT, reason=reason,
                         position=KafkaPosition(topic="user-offers", partition=3, offset=9_876_543))
    lines = _render(items_table([item]), _terminal(80))
    text = "\n".join(lines)
    assert "1,234,567" in text
    assert max(len(line) for line in lines) <= 80
    assert sum(1 for line in lines if line.strip()) <= 8  # a few lines, not a word per line
    assert "OFFER-007" in text and "not shown at this width: kafka" in text


def test_a_row_must_have_a_cell_per_column() -> None:
    table = FittedTable((Column("a"), Column("b")))
    with pytest.raises(ValueError, match="1 cells for 2 columns"):
        table.add_row("x")
