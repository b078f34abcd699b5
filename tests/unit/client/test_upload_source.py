"""Every accepted upload source streams the same CSV bytes; replayable ones can be streamed twice."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest

from subshift_client.upload_source import prepare_source

CSV = b"user_id,current_offer,target_offer\nu1,A,B\nu2,B,\"C,D\"\n"
ROWS = [("u1", "A", "B"), ("u2", "B", "C,D")]


def _joined(chunks: Iterator[bytes]) -> bytes:
    return b"".join(chunks)


def test_a_path_is_read_in_chunks_and_can_be_read_again(tmp_path: Path) -> None:
    path = tmp_path / "m.csv"
    path.write_bytes(CSV)
    prepared = prepare_source(path, chunk_size=7)
    assert prepared.replayable and prepared.total_bytes == len(CSV)
    assert all(len(chunk) <= 7 for chunk in prepared.open())
    assert _joined(prepared.open()) == CSV
    assert _joined(prepare_source(str(path), 7).open()) == CSV


def test_bytes_and_seekable_files_are_replayable_with_a_known_size() -> None:
    for source in (CSV, io.BytesIO(CSV)):
        prepared = prepare_source(source, chunk_size=5)
        assert prepared.replayable and prepared.total_bytes == len(CSV)
        assert _joined(prepared.open()) == CSV
        assert _joined(prepared.open()) == CSV


def test_rows_become_a_csv_with_the_header_and_rfc4180_quoting() -> None:
    assert _joined(prepare_source(ROWS, 1024).open()) == CSV
    mappings = [dict(zip(("user_id", "current_offer", "target_offer"), row, strict=True)) for row in ROWS]
    assert _joined(prepare_source(mappings, 1024).open()) == CSV


def test_a_generator_of_rows_streams_once_and_is_not_replayable() -> None:
    prepared = prepare_source((row for row in ROWS), 1024)
    assert not prepared.replayable and prepared.total_bytes is None
    assert _joined(prepared.open()) == CSV


def test_large_byte_chunks_are_split_to_fit_a_message() -> None:
    prepared = prepare_source(iter([CSV * 10]), chunk_size=16)
    chunks = list(prepared.open())
    assert max(len(chunk) for chunk in chunks) == 16
    assert b"".join(chunks) == CSV * 10


def test_an_unsupported_source_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="cannot upload"):
        prepare_source(42, 1024)  # type: ignore[arg-type]
