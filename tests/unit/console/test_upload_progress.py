"""The upload progress line fits 80 columns, in a terminal and in a pipe, with its numbers whole."""

from __future__ import annotations

import io
import re

import pytest
from rich.console import Console

from subshift.console.progress import UploadBar
from subshift_client import UploadProgress


@pytest.mark.parametrize("terminal", [True, False], ids=["terminal", "pipe"])
def test_the_upload_line_shows_bytes_and_rows_whole_at_80_columns(terminal: bool) -> None:
    console = Console(file=io.StringIO(), width=80, force_terminal=terminal, color_system=None)
    with UploadBar(console, None) as bar:
        bar.update(UploadProgress(bytes_sent=5_000_000, total_bytes=12_000_000, rows_sent=1_234_567, attempt=2))
        bar.validating()
    assert isinstance(console.file, io.StringIO)
    text = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", console.file.getvalue())  # cursor control codes
    last = [line for line in text.replace("\r", "\n").splitlines() if line.strip()][-1]
    assert "…" not in last
    assert "validating" in last and "5.0/12.0 MB" in last and "1,234,567 rows" in last
    assert len(last) <= 80


def test_one_row_is_one_row() -> None:
    console = Console(file=io.StringIO(), width=80, color_system=None)
    with UploadBar(console, 100) as bar:
        bar.update(UploadProgress(bytes_sent=100, total_bytes=100, rows_sent=1, attempt=1))
    assert isinstance(console.file, io.StringIO)
    assert " 1 row " in console.file.getvalue()
