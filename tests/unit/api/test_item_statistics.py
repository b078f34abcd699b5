"""When an upload analyses the items table: large next to what the statistics describe, and not tiny."""

from __future__ import annotations

import pytest

from subshift.api.statistics import MIN_ROWS, needs_analysis


@pytest.mark.parametrize(("staged", "described", "expected"), [
    (MIN_ROWS - 1, -1, False),  # small uploads never pay for an analysis
    (MIN_ROWS, -1, True),  # a table never analysed (a new database)
    (MIN_ROWS, 0, True),
    (1_000_000, 5_000_000, True),  # a fifth of the table
    (499_999, 5_000_000, False),  # under a tenth: the statistics still describe the table well
    (500_000, 5_000_000, True),
])
def test_an_upload_is_analysed_when_it_outgrows_the_statistics(staged: int, described: float, expected: bool) -> None:
    assert needs_analysis(staged, described) is expected
