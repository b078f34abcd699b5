"""A file-like source that lets psycopg2's ``COPY … FROM STDIN`` pull text from a generator.

``copy_expert`` calls ``read`` until it returns an empty string, so PostgreSQL ingests each
batch while the next one is being parsed, and nothing larger than one batch is ever held.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

__all__ = ["CopySource", "copy_escape"]

_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def copy_escape(value: str) -> str:
    """``value`` escaped for COPY's text format (backslash, tab, LF and CR)."""
    return value.translate(_ESCAPES)


class CopySource:
    """Feeds ``COPY`` from an iterator of text batches; re-raises the iterator's own error.

    psycopg2 reports an exception raised inside ``read`` as a generic ``QueryCanceled``; the
    original (a ``DataError`` naming the row, say) is kept and raised instead.
    """

    def __init__(self, batches: Iterator[str]) -> None:
        self._batches = batches
        self._error: BaseException | None = None

    def read(self, size: int = -1) -> str:
        del size  # a batch is as large as it is; psycopg2 sends whatever read returns
        try:
            return next(self._batches, "")
        except BaseException as error:
            self._error = error
            raise

    def copy_into(self, cursor: Any, sql: str) -> None:
        """Run ``sql`` (a ``COPY … FROM STDIN``) with this source.

        Raises:
            BaseException: whatever the batch iterator raised, unchanged.
        """
        try:
            cursor.copy_expert(sql, self, size=1024 * 1024)
        except Exception:
            if self._error is not None:
                raise self._error from None
            raise
