"""Staging: an upload's rows into ``migration_items`` (the outbox) through one streaming ``COPY``.

Everything runs inside the caller's transaction, so a crash at any step leaves nothing staged:

1. Rows are parsed and checked while ``COPY`` pulls them: valid rows go straight to
   ``migration_items``, each with a random event id (``event_ids``), a batch at a time, so the
   file is never in memory and parsing overlaps PostgreSQL's work.
2. Rejected rows are spooled to a temporary file meanwhile (memory stays flat however many; the
   file is capped at ``max_spool_bytes``, past which the upload is refused, so disk stays bounded).
3. Duplicate users are found by PostgreSQL (``duplicates``), marked rejected with the row of
   their first appearance, and their event ids cleared; the first few are read back for the report.
4. The spooled rejected rows are copied in with NULL event ids.

The relay publishes the items with an event id, in row order, once the transaction commits.

A dry run streams the valid rows into a temporary table instead, finds duplicates the same way,
and reads how many subscribers are on each current offer named in the file.
"""

from __future__ import annotations

import tempfile
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from subshift.api.copy_source import CopySource, copy_escape
from subshift.api.csv_reader import CsvRecords
from subshift.api.duplicates import find_upload_duplicates, mark_duplicates
from subshift.api.event_ids import random_event_ids
from subshift.api.validation import OfferCatalog, OfferMove, RowChecker, RowViolation, ViolationLog
from subshift.errors import DataError
from subshift.lifecycle import items_table

__all__ = ["StageCounts", "load_catalog", "stage_dry_run", "stage_items"]

# One valid row's COPY line from its row number, user, current and target offers, and event id.
Line = Callable[[int, str, str, str, str], str]

_BATCH_ROWS = 5000
_SPOOL_BYTES = 4 * 1024 * 1024
# The duplicate check's hash aggregate over a million user ids fits in memory with this, instead of spilling to disk.
_WORK_MEM = "SET LOCAL work_mem = '128MB'"


@dataclass(frozen=True, slots=True)
class StageCounts:
    """Rows read, staged (valid and unique) and rejected by one upload."""

    received: int
    staged: int
    rejected: int


def load_catalog(cursor: Any) -> OfferCatalog:
    """The offers catalog as it is now (read once per upload)."""
    cursor.execute("SELECT code, active FROM offers")
    rows = cursor.fetchall()
    return OfferCatalog(known=frozenset(code for code, _ in rows),
                        active=frozenset(code for code, active in rows if active))


def _values(fields: list[str], checker: RowChecker) -> tuple[str, str, str]:
    user, current, target = checker.positions
    def at(index: int) -> str:
        return fields[index] if index < len(fields) else ""
    return at(user), at(current), at(target)


def _stream(cursor: Any, sql: str, records: CsvRecords, checker: RowChecker, log: ViolationLog,
            line: Line, rejected: Callable[[int, list[str], list[RowViolation]], None], *, event_ids: bool) -> int:
    """COPY the valid rows (with new event ids when ``event_ids``); hand each rejected row to ``rejected``.

    Returns how many rows were valid.
    """
    valid = 0

    def batches() -> Iterator[str]:
        nonlocal valid
        check = checker.check
        user, current, target = checker.positions
        batch: list[tuple[int, str, str, str]] = []
        for row, fields in records:
            found = check(row, fields)
            if found is None:
                batch.append((row, fields[user], fields[current], fields[target]))
                if len(batch) >= _BATCH_ROWS:
                    valid += len(batch)
                    yield _format(batch, line, event_ids)
                    batch = []
            else:
                log.add_row(found)
                rejected(row, fields, found)
        valid += len(batch)
        if batch:
            yield _format(batch, line, event_ids)

    CopySource(batches()).copy_into(cursor, sql)
    return valid


_SPECIAL = ("\\", "\t", "\n", "\r")


def _format(batch: list[tuple[int, str, str, str]], line: Line, event_ids: bool) -> str:
    ids = random_event_ids(len(batch)) if event_ids else [""] * len(batch)
    text = "".join([line(*values, event_id) for values, event_id in zip(batch, ids, strict=True)])
    # Valid values rarely hold COPY's special characters: a line of plain values has a fixed count of
    # each (tabs between columns, one LF, a backslash per \N), so four C-speed counts over the batch prove it.
    probe = line(0, "u", "c", "t", ids[0])
    if any(text.count(char) != probe.count(char) * len(batch) for char in _SPECIAL):
        text = "".join([line(row, copy_escape(u), copy_escape(c), copy_escape(t), event_id)
                        for (row, u, c, t), event_id in zip(batch, ids, strict=True)])
    return text


def stage_items(cursor: Any, *, migration_id: uuid.UUID, records: CsvRecords, checker: RowChecker,
                log: ViolationLog, trace_parent: str | None, max_spool_bytes: int | None = None) -> StageCounts:
    """Stage an upload's rows as items of ``migration_id`` (steps 1-4 of the module docstring), into its
    items table (``subshift.lifecycle.storage``: created with the migration, attached when it is staged).

    Raises:
        DataError: a row is unreadable, or the rejected rows outgrow ``max_spool_bytes``.
    """
    cursor.execute(_WORK_MEM)
    table = items_table(migration_id)
    prefix = f"{migration_id}\t"
    suffix = f"\t{copy_escape(trace_parent)}\n" if trace_parent else "\t\\N\n"
    stamp = datetime.now(UTC).isoformat()
    with tempfile.SpooledTemporaryFile(max_size=_SPOOL_BYTES, mode="w+", encoding="utf-8", newline="") as spool:

        spooled = 0

        def rejected(row: int, fields: list[str], found: list[RowViolation]) -> None:
            nonlocal spooled
            user, current, target = (copy_escape(value) for value in _values(fields, checker))
            reason = copy_escape("; ".join(violation.message for violation in found))
            spooled += spool.write(f"{prefix}{row}\t{user}\t{current}\t{target}\t\\N\trejected\t{reason}\t"
                                   f"{copy_escape(found[0].column)}\t{stamp}\n")
            if max_spool_bytes is not None and spooled > max_spool_bytes:
                raise DataError(f"row {row}: the rejected rows so far exceed {max_spool_bytes} bytes "
                                "(ingest.max_rejected_spool_bytes); fix the file and upload it again",
                                row=row, rule="too_many_rejected_bytes")

        valid = _stream(
            cursor,
            f"COPY {table} (migration_id, row_number, user_id, current_offer, target_offer, event_id, "
            "trace_parent) FROM STDIN",
            records, checker, log, lambda row, u, c, t, event_id: f"{prefix}{row}\t{u}\t{c}\t{t}\t{event_id}{suffix}",
            rejected, event_ids=True,
        )
        duplicates = mark_duplicates(cursor, migration_id, log.cap)
        log.merge(duplicates.first, total=duplicates.total, rows=duplicates.total)
        spool.seek(0)
        cursor.copy_expert(
            f"COPY {table} (migration_id, row_number, user_id, current_offer, target_offer, event_id, "
            "outcome, reason, column_name, outcome_at) FROM STDIN", spool, size=1024 * 1024,
        )
    return StageCounts(received=records.rows_read, staged=valid - duplicates.total, rejected=log.rows)


_POPULATIONS = """
SELECT named.offer, count(s.user_id)
FROM (SELECT DISTINCT current_offer AS offer FROM upload_rows) named
LEFT JOIN subscriptions s ON s.offer_code = named.offer
GROUP BY named.offer ORDER BY named.offer
"""


# Each user's first valid row (later ones are duplicates, rejected), against where the user is now.
_MOVES = """
SELECT u.current_offer, u.target_offer, count(*),
       count(*) FILTER (WHERE s.offer_code = u.current_offer),
       count(*) FILTER (WHERE s.offer_code = u.target_offer),
       count(*) FILTER (WHERE s.offer_code IS NOT NULL AND s.offer_code <> u.current_offer
                        AND s.offer_code <> u.target_offer),
       count(*) FILTER (WHERE s.user_id IS NULL)
FROM (SELECT DISTINCT ON (user_id) user_id, current_offer, target_offer FROM upload_rows
      ORDER BY user_id, row_number) u
LEFT JOIN subscriptions s ON s.user_id = u.user_id
GROUP BY 1, 2 ORDER BY 3 DESC, 1, 2
"""


def stage_dry_run(cursor: Any, *, records: CsvRecords, checker: RowChecker,
                  log: ViolationLog) -> tuple[StageCounts, dict[str, int], list[OfferMove]]:
    """Check an upload without staging it; returns its counts, the current offer populations and its moves."""
    cursor.execute(_WORK_MEM)
    cursor.execute("CREATE TEMPORARY TABLE upload_rows (row_number bigint, user_id text, current_offer text, "
                   "target_offer text) ON COMMIT DROP")
    valid = _stream(cursor, "COPY upload_rows (row_number, user_id, current_offer, target_offer) FROM STDIN",
                    records, checker, log, lambda row, u, c, t, _event_id: f"{row}\t{u}\t{c}\t{t}\n",
                    lambda row, fields, found: None, event_ids=False)
    duplicates = find_upload_duplicates(cursor, log.cap)
    log.merge(duplicates.first, total=duplicates.total, rows=duplicates.total)
    total = duplicates.total
    cursor.execute(_POPULATIONS)
    populations = {offer: count for offer, count in cursor.fetchall()}
    cursor.execute(_MOVES)
    moves = [OfferMove(str(c), str(t), int(n), int(a), int(k), int(x), int(f)) for c, t, n, a, k, x, f
             in cursor.fetchall()]
    return StageCounts(received=records.rows_read, staged=valid - total, rejected=log.rows), populations, moves
