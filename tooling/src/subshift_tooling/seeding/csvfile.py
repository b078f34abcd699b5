"""A migration CSV drawn from the demo population, with deliberately bad rows, written streaming.

Good rows name real subscribers (in user-id order, each at most once) with the offer they are
seeded on as ``current_offer`` and another active offer as ``target_offer``, so on freshly
seeded data every good row is applied. Bad rows sit evenly spaced through the file and cycle
through the kinds of :class:`BadRowKind`; each breaks exactly one upload rule.
"""

from __future__ import annotations

import csv
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from subshift.errors import DataError
from subshift_tooling.seeding.catalog import DemoCatalog
from subshift_tooling.seeding.population import Population, user_id

__all__ = ["HEADER", "UNKNOWN_OFFER_CODE", "BadRowKind", "CsvSummary", "write_migration_csv"]

HEADER = ("user_id", "current_offer", "target_offer")
UNKNOWN_OFFER_CODE = "NO-SUCH-OFFER"
_BATCH = 4096


class BadRowKind(StrEnum):
    """The upload rule a bad row breaks (values are the API's rule ids)."""

    UNKNOWN_OFFER = "unknown_offer"
    SAME_OFFER = "same_offer"
    BAD_USER_ID = "user_id_format"
    DUPLICATE_USER = "duplicate_user"
    INACTIVE_TARGET = "inactive_offer"


@dataclass(slots=True)
class CsvSummary:
    """What was written: ``rows`` data rows (header not counted), ``bad_rows`` of them bad."""

    path: Path
    rows: int
    good_rows: int
    bad_rows: dict[BadRowKind, int] = field(default_factory=dict)
    bad_row_numbers: list[int] = field(default_factory=list)
    bytes_written: int = 0


def _sample(population: Population, count: int, rng: random.Random) -> Iterator[int]:
    # Selection sampling (Knuth's Algorithm S): ``count`` distinct subscribers in index order,
    # in one pass and constant memory, however large the population.
    size = population.size
    needed = count
    for index in range(1, size + 1):
        if needed == 0:
            return
        if rng.random() * (size - index + 1) < needed:
            needed -= 1
            yield index


def _bad_slots(rows: int, bad_rows: int) -> Iterator[int]:
    # 0-based data-row positions, evenly spread (distinct because rows >= bad_rows).
    for k in range(bad_rows):
        yield ((2 * k + 1) * rows) // (2 * bad_rows)


class _Rows:
    """Builds good and bad rows; remembers the last good row for the duplicate kind."""

    def __init__(self, catalog: DemoCatalog, population: Population, rng: random.Random) -> None:
        self._active = population.codes
        self._inactive = tuple(offer.code for offer in catalog.inactive)
        self._population = population
        self._rng = rng
        self._spare_user = population.size  # ids past the population: well-formed, never seeded
        self.last_good: tuple[str, str, str] | None = None
        kinds = list(BadRowKind)
        if not self._inactive:
            kinds.remove(BadRowKind.INACTIVE_TARGET)
        self.kinds = tuple(kinds)

    def _other_active(self, current: int) -> str:
        count = len(self._active)
        return self._active[(current + 1 + self._rng.randrange(count - 1)) % count]

    def good(self, index: int) -> tuple[str, str, str]:
        current = self._population.offer_index[index - 1]
        row = (user_id(index), self._active[current], self._other_active(current))
        self.last_good = row
        return row

    def bad(self, kind: BadRowKind, number: int) -> tuple[BadRowKind, tuple[str, str, str]]:
        if kind is BadRowKind.DUPLICATE_USER and self.last_good is None:
            kind = BadRowKind.UNKNOWN_OFFER  # nothing to duplicate yet
        first, second = self._active[0], self._active[1]
        self._spare_user += 1
        spare = user_id(self._spare_user)
        if kind is BadRowKind.UNKNOWN_OFFER:
            return kind, (spare, first, UNKNOWN_OFFER_CODE)
        if kind is BadRowKind.SAME_OFFER:
            return kind, (spare, first, first)
        if kind is BadRowKind.BAD_USER_ID:
            return kind, (f"bad user {number}", first, second)
        if kind is BadRowKind.INACTIVE_TARGET:
            return kind, (spare, first, self._inactive[number % len(self._inactive)])
        assert self.last_good is not None
        user, current, target = self.last_good
        # Another target where there is one, so the file cannot be read as a harmless repeat.
        other = next((code for code in self._active if code not in (current, target)), target)
        return kind, (user, current, other)


def write_migration_csv(
    path: Path, *, catalog: DemoCatalog, population: Population, rows: int, bad_rows: int, seed: int
) -> CsvSummary:
    """Write ``rows`` data rows, ``bad_rows`` of them bad, to ``path`` without holding them in memory.

    Raises:
        DataError: the counts do not fit the population (more good rows than subscribers,
            more bad rows than rows) or the catalog has fewer than two active offers.
    """
    good_rows = rows - bad_rows
    if bad_rows < 0 or good_rows < 0:
        raise DataError(f"--bad-rows ({bad_rows}) must be between 0 and --rows ({rows})", rule="range")
    if good_rows > population.size:
        raise DataError(
            f"{good_rows} good rows need as many subscribers, but only {population.size} are seeded; "
            "raise --subscribers or lower --rows",
            rule="range",
        )
    if len(population.codes) < 2:
        raise DataError("a migration needs at least two active offers; raise --offers", rule="range")
    rng = random.Random(seed + 1)  # noqa: S311 -- demo data must be reproducible, not secret
    builder = _Rows(catalog, population, rng)
    summary = CsvSummary(path=path, rows=rows, good_rows=good_rows)
    good = _sample(population, good_rows, rng)
    slots = _bad_slots(rows, bad_rows)
    next_bad = next(slots, -1)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(HEADER)
        batch: list[tuple[str, str, str]] = []
        for position in range(rows):
            if position == next_bad:
                number = len(summary.bad_row_numbers)
                kind, row = builder.bad(builder.kinds[number % len(builder.kinds)], number)
                summary.bad_rows[kind] = summary.bad_rows.get(kind, 0) + 1
                summary.bad_row_numbers.append(position + 2)  # the header is row 1
                next_bad = next(slots, -1)
            else:
                row = builder.good(next(good))
            batch.append(row)
            if len(batch) >= _BATCH:
                writer.writerows(batch)
                batch.clear()
        writer.writerows(batch)
        summary.bytes_written = handle.tell()
    return summary
