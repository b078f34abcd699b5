"""A file-like view of the population in ``COPY … FROM STDIN`` text format, produced on demand."""

from __future__ import annotations

import io
from collections.abc import Iterator

from subshift_tooling.seeding.population import Population, user_id

__all__ = ["PopulationCopySource"]

_LINES_PER_CHUNK = 8192


class PopulationCopySource(io.TextIOBase):
    """``user_id<TAB>offer_code`` lines for every subscriber; memory stays at one chunk."""

    def __init__(self, population: Population) -> None:
        self._chunks = self._generate(population)
        self._buffer = ""

    @staticmethod
    def _generate(population: Population) -> Iterator[str]:
        codes, offers = population.codes, population.offer_index
        for start in range(0, population.size, _LINES_PER_CHUNK):
            stop = min(start + _LINES_PER_CHUNK, population.size)
            yield "".join(f"{user_id(i + 1)}\t{codes[offers[i]]}\n" for i in range(start, stop))

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1, /) -> str:
        """Up to ``size`` characters (everything left when ``size`` is negative or None)."""
        while size is None or size < 0 or len(self._buffer) < size:
            chunk = next(self._chunks, None)
            if chunk is None:
                break
            self._buffer += chunk
        if size is None or size < 0:
            size = len(self._buffer)
        data, self._buffer = self._buffer[:size], self._buffer[size:]
        return data
