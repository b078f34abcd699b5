"""What ``SubshiftClient.create_migration`` can upload, turned into a stream of byte chunks.

Accepted: a path to a CSV file; ``bytes``; a binary file object; an iterable of ``bytes``
chunks; or an iterable of rows, each a ``(user_id, current_offer, target_offer)`` sequence or
a mapping with those keys (the header is written for you). A source is *replayable* when it
can be read again from the start, which is what makes a retry after ``UNAVAILABLE`` safe.
"""

from __future__ import annotations

import csv
import io
import itertools
import os
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from subshift_client.errors import ClientError

__all__ = [
    "COLUMNS",
    "PreparedSource",
    "UnsupportedSourceError",
    "UploadProgress",
    "UploadSource",
    "UploadSourceError",
    "prepare_source",
]

COLUMNS = ("user_id", "current_offer", "target_offer")
_ROWS_PER_CHUNK = 4096

Row = Sequence[str] | Mapping[str, str]
UploadSource = str | os.PathLike[str] | bytes | BinaryIO | Iterable[bytes] | Iterable[Row]


class UploadSourceError(ClientError, ValueError):
    """What was given to upload cannot be read: a missing file, CSV text where a path belongs, or no CSV at all."""


class UnsupportedSourceError(UploadSourceError, TypeError):
    """The object given to upload is none of the accepted kinds."""


@dataclass(frozen=True, slots=True)
class UploadProgress:
    """How far an upload got: ``rows_sent`` counts lines after the header (quoted newlines count too)."""

    bytes_sent: int
    total_bytes: int | None
    rows_sent: int
    attempt: int


@dataclass(frozen=True, slots=True)
class PreparedSource:
    """``open()`` starts a fresh pass over the chunks; only a replayable source may be opened twice."""

    open: Callable[[], Iterator[bytes]]
    total_bytes: int | None
    replayable: bool


def _slices(data: bytes, size: int) -> Iterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start : start + size]


def _file_chunks(path: Path, size: int) -> Iterator[bytes]:
    with path.open("rb") as handle:
        while chunk := handle.read(size):
            yield chunk


def _stream_chunks(handle: BinaryIO, start: int | None, size: int) -> Iterator[bytes]:
    if start is not None:
        handle.seek(start)
    while chunk := handle.read(size):
        yield chunk


def _rechunk(chunks: Iterable[bytes], size: int) -> Iterator[bytes]:
    # Callers' chunks may be larger than a gRPC message may be; split, never merge.
    for chunk in chunks:
        yield from _slices(bytes(chunk), size)


def _row_values(row: Row) -> Sequence[str]:
    if isinstance(row, Mapping):
        return [row[column] for column in COLUMNS]
    return row


def _csv_chunks(rows: Iterable[Row]) -> Iterator[bytes]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    iterator = iter(rows)
    while batch := list(itertools.islice(iterator, _ROWS_PER_CHUNK)):
        writer.writerows(_row_values(row) for row in batch)
        yield buffer.getvalue().encode("utf-8")
        buffer.seek(0)
        buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue().encode("utf-8")  # the header of an empty upload


def _path_source(source: str | os.PathLike[str], chunk_size: int) -> PreparedSource:
    if isinstance(source, str) and ("\n" in source or ("," in source and not os.path.exists(source))):
        raise UploadSourceError(
            "create_migration was given CSV text where a path is expected; pass the text as bytes "
            "(text.encode()) or the path of a file that holds it"
        )
    path = Path(source)
    try:
        size = path.stat().st_size
    except OSError as error:
        raise UploadSourceError(f"cannot read the CSV file {path}: {error.strerror or error}") from None
    if not path.is_file():
        raise UploadSourceError(f"{path} is not a file; pass the path of a CSV file")
    return PreparedSource(lambda: _file_chunks(path, chunk_size), size, True)


def prepare_source(source: UploadSource, chunk_size: int) -> PreparedSource:
    """Wrap ``source`` so it can be streamed (and, when possible, streamed again).

    Raises:
        UploadSourceError: ``source`` is none of the accepted kinds, a path that is not a file, or CSV text.
    """
    if isinstance(source, str | os.PathLike):
        return _path_source(source, chunk_size)
    if isinstance(source, bytes | bytearray | memoryview):
        data = bytes(source)
        return PreparedSource(lambda: _slices(data, chunk_size), len(data), True)
    if hasattr(source, "read"):
        handle: BinaryIO = source  # type: ignore[assignment]  # duck-typed file object
        if not handle.seekable():
            return PreparedSource(lambda: _stream_chunks(handle, None, chunk_size), None, False)
        start = handle.tell()
        total = handle.seek(0, io.SEEK_END) - start
        handle.seek(start)
        return PreparedSource(lambda: _stream_chunks(handle, start, chunk_size), total, True)
    if not isinstance(source, Iterable):
        raise UnsupportedSourceError(
            f"cannot upload a {type(source).__name__}: pass a path, bytes, a file or an iterable"
        )
    replayable = isinstance(source, Sequence)
    items = iter(source)
    first = next(items, None)
    rest = itertools.chain([] if first is None else [first], items)

    def chunks_of(stream: Iterable[object]) -> Iterator[bytes]:
        if isinstance(first, bytes | bytearray | memoryview):
            return _rechunk(stream, chunk_size)  # type: ignore[arg-type]  # checked on the first item
        return _rechunk(_csv_chunks(stream), chunk_size)  # type: ignore[arg-type]  # rows, by elimination

    passes = iter([rest])

    def open_once() -> Iterator[bytes]:
        return chunks_of(source if replayable else next(passes))

    return PreparedSource(open_once, None, replayable)

