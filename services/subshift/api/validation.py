"""Per-row checks of an upload; broken rules are values (``RowViolation``), not exceptions.

Rules, each with a stable id:

- ``field_count``: a row has exactly the header's three fields.
- ``empty`` / ``whitespace``: values are neither empty nor padded. Whitespace is rejected,
  not trimmed: " gold" may be a typo or a distinct code, and guessing would move the wrong users.
- ``user_id_format``: the whole user id matches ``ingest.user_id_pattern``
  (default: 1 to 64 of ``A-Z a-z 0-9 _ . : @ -``, starting with a letter or digit).
- ``unknown_offer``: both offers exist in the ``offers`` catalog.
- ``inactive_offer``: the target offer is active (moving users off a retired offer is fine).
- ``same_offer``: current and target differ.
- ``duplicate_user``: a user appears once per file; later rows are rejected and name the first
  (checked after staging, in PostgreSQL, so memory stays flat; see ``staging``).

A valid row costs one regex match and three set lookups (``RowChecker.check`` fast path).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from subshift.api.csv_reader import Header

__all__ = ["OfferCatalog", "RowChecker", "RowViolation", "ValidationReport", "ViolationLog"]

_SHOWN_CHARS = 40  # values echoed in messages are cut, so a 4 KiB field cannot bloat a report


@dataclass(frozen=True, slots=True)
class RowViolation:
    """One broken rule in one row (row 0: the file as a whole)."""

    row: int
    column: str
    rule: str
    message: str


@dataclass(frozen=True, slots=True)
class OfferCatalog:
    """The offer codes known when an upload starts (read once per upload)."""

    known: frozenset[str]
    active: frozenset[str]


@dataclass(frozen=True, slots=True)
class OfferMove:
    """A dry run's rows asking for one move, and where those users are now."""

    current_offer: str
    target_offer: str
    rows: int
    would_apply: int
    would_skip: int
    would_conflict: int
    not_found: int


@dataclass(slots=True)
class ValidationReport:
    """What validation found in one upload."""

    rows_valid: int = 0
    rows_rejected: int = 0
    violations: list[RowViolation] = field(default_factory=list)
    violations_total: int = 0
    current_offer_population: dict[str, int] = field(default_factory=dict)
    moves: list[OfferMove] = field(default_factory=list)


class ViolationLog:
    """Keeps the first ``cap`` violations in row order and counts all of them."""

    def __init__(self, cap: int) -> None:
        self.cap = cap
        self.first: list[RowViolation] = []
        self.total = 0
        self.rows = 0

    def add_row(self, violations: list[RowViolation]) -> None:
        self.rows += 1
        self.total += len(violations)
        room = self.cap - len(self.first)
        if room > 0:
            self.first.extend(violations[:room])

    def merge(self, later: list[RowViolation], *, total: int, rows: int) -> None:
        """Fold in violations found by another pass (each list is already the first ``cap`` in row order)."""
        self.first = sorted([*self.first, *later], key=lambda violation: violation.row)[: self.cap]
        self.total += total
        self.rows += rows


def _shown(value: str) -> str:
    return repr(value if len(value) <= _SHOWN_CHARS else value[:_SHOWN_CHARS] + "…")


class RowChecker:
    """Checks rows against the header's column order, the catalog and the user id pattern."""

    def __init__(self, header: Header, catalog: OfferCatalog, user_id_pattern: str) -> None:
        self._width = len(header.names)
        self.positions = (header.user_id, header.current_offer, header.target_offer)
        self._user = header.user_id
        self._current = header.current_offer
        self._target = header.target_offer
        self._known = catalog.known
        self._active = catalog.active
        self._user_ok = re.compile(user_id_pattern).fullmatch
        self._pattern = user_id_pattern

    def check(self, row: int, fields: list[str]) -> list[RowViolation] | None:
        """None when the row is valid, else every rule it breaks (duplicates excepted)."""
        if len(fields) == self._width:
            current = fields[self._current]
            target = fields[self._target]
            if (
                self._user_ok(fields[self._user])
                and current in self._known
                and target in self._active
                and current != target
            ):
                return None
        return self._violations(row, fields)

    def _violations(self, row: int, fields: list[str]) -> list[RowViolation]:
        if len(fields) != self._width:
            return [RowViolation(row, "", "field_count",
                                 f"row {row} has {len(fields)} fields; the header has {self._width}")]
        found: list[RowViolation] = []
        user, current, target = fields[self._user], fields[self._current], fields[self._target]
        for column, value in (("user_id", user), ("current_offer", current), ("target_offer", target)):
            if value == "":
                found.append(RowViolation(row, column, "empty", f"{column} is empty"))
            elif value != value.strip():
                found.append(RowViolation(row, column, "whitespace",
                                          f"{column} {_shown(value)} has leading or trailing whitespace; remove it"))
        flagged = {violation.column for violation in found}
        if "user_id" not in flagged and not self._user_ok(user):
            found.append(RowViolation(row, "user_id", "user_id_format",
                                      f"user_id {_shown(user)} is not a valid user id (must match {self._pattern})"))
        for column, value in (("current_offer", current), ("target_offer", target)):
            if column not in flagged and value not in self._known:
                found.append(RowViolation(row, column, "unknown_offer",
                                          f"{column} {_shown(value)} is not in the offers catalog"))
        if "target_offer" not in flagged and target in self._known and target not in self._active:
            found.append(RowViolation(row, "target_offer", "inactive_offer",
                                      f"target_offer {_shown(target)} is not active; users can only move to an "
                                      "active offer"))
        if not found and current == target:
            found.append(RowViolation(row, "target_offer", "same_offer",
                                      f"current_offer and target_offer are both {_shown(target)}; nothing to move"))
        return found
