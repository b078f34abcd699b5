"""Export cells a spreadsheet would run: found behind whitespace, invisible and full-width characters.

Spreadsheets skip leading spaces, NBSP, a BOM and zero-width characters before they decide a cell
is a formula, and read the full-width forms (U+FF1D, U+FF0B, U+FF0D, U+FF20) as the ASCII signs.
Numbers written by the server are never text from an upload and must stay numbers.
"""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace

import pytest

from subshift.api.export import EXPORT_COLUMNS, export_row, neutralise

HIDDEN_FORMULAS = {
    "leading space": " =1+1",
    "leading spaces and tab inside": "  \t=cmd",
    "NBSP": "\u00a0=HYPERLINK(\"http://evil\")",
    "BOM": "\ufeff=1+1",
    "zero-width space": "\u200b+1+1",
    "zero-width joiner": "\u200d-2+3",
    "word joiner": "\u2060@SUM(A1)",
    "ideographic space": "\u3000=1",
    "full-width equals": "\uff1d1+1",
    "full-width plus": "\uff0b1",
    "full-width minus": "\uff0d1",
    "full-width at": "\uff20SUM(A1)",
    "small equals": "\ufe661+1",
    "mixed invisibles then full-width": "\ufeff\u200b\u00a0 \uff1dcmd",
}


@pytest.mark.parametrize("cell", HIDDEN_FORMULAS.values(), ids=HIDDEN_FORMULAS.keys())
def test_a_formula_behind_invisible_or_full_width_characters_is_neutralised(cell: str) -> None:
    assert neutralise(cell) == "'" + cell


@pytest.mark.parametrize("cell", ["user0001", " basic", "\u00a0gold", "\ufeffuser", "", "   ", "a=b", "x-1"])
def test_text_that_is_no_formula_is_left_alone(cell: str) -> None:
    assert neutralise(cell) == cell


def _item(**overrides: object) -> SimpleNamespace:
    values: dict[str, object] = {
        "row_number": 7, "user_id": "=1+1", "current_offer": "basic", "target_offer": "\uff0bgold",
        "outcome": "rejected", "reason": "-bad", "column_name": "user_id", "event_id": None,
        "kafka_partition": 0, "kafka_offset": -1, "published_at": None,
        "outcome_at": datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC), "previous_offer": None,
    }
    values.update(overrides)
    return SimpleNamespace(**values)


def test_numeric_columns_stay_numbers_and_text_columns_are_neutralised() -> None:
    row = dict(zip(EXPORT_COLUMNS, export_row(_item()), strict=True))
    assert row["kafka_offset"] == "-1"
    assert row["row_number"] == "7"
    assert row["kafka_partition"] == "0"
    assert row["outcome_at"] == "2026-01-02T03:04:05+00:00"
    assert row["user_id"] == "'=1+1"
    assert row["target_offer"] == "'\uff0bgold"
    assert row["reason"] == "'-bad"
    assert row["current_offer"] == "basic"
