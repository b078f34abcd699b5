"""The set-based apply: one temporary table per batch, a handful of statements, no per-row commit.

Within the caller's transaction:

1. ``stage`` copies the batch into ``_apply_batch`` (COPY).
2. ``lock_items`` locks the batch's items that still wait for an outcome (so a redelivered
   item, or one a concurrent consumer finished, is a no-op) and returns the rows whose item
   does not exist at all.
3. ``apply_changes`` runs the compare-and-set on ``subscriptions``, one round per position of a
   user in the batch (a user's second change in a batch must see the first one's result).
4. ``record_outcomes`` writes each item's outcome, bumps the migration counters and makes a
   migration terminal once none of its items waits any more.
"""

from __future__ import annotations

import io
import uuid
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from psycopg2.extras import execute_values

from subshift.db.connect import PgConnection
from subshift.db.models import COUNTER_COLUMNS, ItemOutcome, MigrationState

__all__ = ["StagedRow", "apply_changes", "lock_items", "record_outcomes", "set_dead_letter_positions", "stage"]

_COLUMNS = ("idx", "seq", "migration_id", "row_number", "user_id", "current_offer", "target_offer",
            "kafka_partition", "kafka_offset", "outcome", "reason")

_CREATE = """
CREATE TEMP TABLE IF NOT EXISTS _apply_batch (
    idx integer PRIMARY KEY, seq integer NOT NULL, migration_id uuid NOT NULL, row_number bigint NOT NULL,
    user_id text NOT NULL, current_offer text NOT NULL, target_offer text NOT NULL,
    kafka_partition integer NOT NULL, kafka_offset bigint NOT NULL, outcome text, reason text,
    previous_offer text, dlt_partition integer, dlt_offset bigint,
    live boolean NOT NULL DEFAULT false, was_published boolean NOT NULL DEFAULT false
) ON COMMIT DELETE ROWS
"""

_PENDING = ItemOutcome.PENDING.value
_ERRORS = (COUNTER_COLUMNS[ItemOutcome.CONFLICT], COUNTER_COLUMNS[ItemOutcome.NOT_FOUND],
           COUNTER_COLUMNS[ItemOutcome.DEAD_LETTERED])
_RUNNING = (MigrationState.PENDING.value, MigrationState.PUBLISHING.value, MigrationState.APPLYING.value)

# Built from enum constants only (no input reaches these texts).
_CLASSIFY_SQL = f"""
UPDATE _apply_batch b
SET outcome = CASE WHEN s.user_id IS NULL THEN '{ItemOutcome.NOT_FOUND.value}'
                   WHEN s.offer_code = b.target_offer THEN '{ItemOutcome.SKIPPED.value}'
                   ELSE '{ItemOutcome.CONFLICT.value}' END,
    reason = CASE WHEN s.user_id IS NULL THEN 'user ' || b.user_id || ' has no subscription'
                  WHEN s.offer_code = b.target_offer THEN 'user is already on offer ' || b.target_offer
                  WHEN s.offer_code = b.current_offer THEN 'target offer ' || b.target_offer || ' does not exist'
                  ELSE 'user is on offer ' || s.offer_code || ', not ' || b.current_offer END,
    previous_offer = s.offer_code
FROM _apply_batch b2 LEFT JOIN subscriptions s ON s.user_id = b2.user_id
WHERE b.idx = b2.idx AND b.seq = %s AND b.live AND b.outcome IS NULL
"""  # noqa: S608

_TERMINAL_SQL = f"""
UPDATE migrations m
SET state = CASE WHEN m.{_ERRORS[0]} + m.{_ERRORS[1]} + m.{_ERRORS[2]} > 0
                 THEN '{MigrationState.SUCCEEDED_WITH_ERRORS.value}' ELSE '{MigrationState.SUCCEEDED.value}' END,
    completed_at = now(), updated_at = now()
WHERE m.id = ANY(%s::uuid[]) AND m.state IN ('{_RUNNING[0]}', '{_RUNNING[1]}', '{_RUNNING[2]}')
  AND NOT EXISTS (SELECT 1 FROM migration_items i WHERE i.migration_id = m.id AND i.outcome = '{_PENDING}')
RETURNING m.id, m.state
"""  # noqa: S608


@dataclass(frozen=True, slots=True)
class StagedRow:
    """One record of the batch as the apply sees it; ``outcome`` is preset only for dead letters."""

    idx: int
    seq: int
    migration_id: uuid.UUID
    row_number: int
    user_id: str
    current_offer: str
    target_offer: str
    partition: int
    offset: int
    outcome: str | None = None
    reason: str | None = None


def _copy_text(value: object) -> str:
    if value is None:
        return "\\N"
    text = str(value)
    if "\\" in text or "\t" in text or "\n" in text or "\r" in text:
        text = text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return text


def stage(conn: PgConnection, rows: Sequence[StagedRow]) -> None:
    """Copy the batch into this transaction's ``_apply_batch``."""
    buffer = io.StringIO()
    buffer.writelines(
        "\t".join(_copy_text(v) for v in (r.idx, r.seq, r.migration_id, r.row_number, r.user_id, r.current_offer,
                                          r.target_offer, r.partition, r.offset, r.outcome, r.reason)) + "\n"
        for r in rows
    )
    buffer.seek(0)
    with conn.cursor() as cur:
        cur.execute(_CREATE)
        cur.copy_expert(f"COPY _apply_batch ({', '.join(_COLUMNS)}) FROM STDIN", buffer)


def lock_items(conn: PgConnection) -> list[int]:
    """Lock the items still pending (marking their rows live); drop and return rows whose item does not exist."""
    with conn.cursor() as cur:
        cur.execute(
            """
            WITH locked AS (
                SELECT i.migration_id, i.row_number, i.published_at IS NOT NULL AS was_published
                FROM migration_items i
                JOIN _apply_batch b ON i.migration_id = b.migration_id AND i.row_number = b.row_number
                WHERE i.outcome = %s
                ORDER BY i.migration_id, i.row_number
                FOR UPDATE OF i
            )
            UPDATE _apply_batch b SET live = true, was_published = l.was_published
            FROM locked l WHERE b.migration_id = l.migration_id AND b.row_number = l.row_number
            """,
            (_PENDING,),
        )
        cur.execute(
            """
            DELETE FROM _apply_batch b WHERE NOT b.live AND NOT EXISTS (
                SELECT 1 FROM migration_items i WHERE i.migration_id = b.migration_id AND i.row_number = b.row_number)
            RETURNING b.idx
            """
        )
        return sorted(int(r[0]) for r in cur.fetchall())


def set_dead_letter_positions(conn: PgConnection, positions: Mapping[int, tuple[int, int]]) -> None:
    """Record where the dead-lettered rows (by ``idx``) landed on the dead-letter topic."""
    if not positions:
        return
    with conn.cursor() as cur:
        execute_values(
            cur,
            "UPDATE _apply_batch b SET dlt_partition = v.p, dlt_offset = v.o FROM (VALUES %s) AS v(idx, p, o) "
            "WHERE b.idx = v.idx",
            [(idx, p, o) for idx, (p, o) in positions.items()],
            template="(%s::int, %s::int, %s::bigint)",
        )


def apply_changes(conn: PgConnection, rounds: int) -> None:
    """Compare-and-set every live change: still on ``current_offer`` → moved; else skipped, conflict or not found."""
    with conn.cursor() as cur:
        for seq in range(1, rounds + 1):
            cur.execute(
                """
                WITH moved AS (
                    UPDATE subscriptions s
                    SET offer_code = b.target_offer, version = s.version + 1, updated_at = now()
                    FROM _apply_batch b
                    WHERE b.seq = %(seq)s AND b.live AND b.outcome IS NULL
                      AND s.user_id = b.user_id AND s.offer_code = b.current_offer
                      -- an offer removed since staging is a conflict, not a failed batch
                      AND EXISTS (SELECT 1 FROM offers o WHERE o.code = b.target_offer)
                    RETURNING b.idx
                )
                UPDATE _apply_batch b SET outcome = %(applied)s, previous_offer = b.current_offer
                FROM moved WHERE b.idx = moved.idx
                """,
                {"seq": seq, "applied": ItemOutcome.APPLIED.value},
            )
            cur.execute(_CLASSIFY_SQL, (seq,))


def record_outcomes(conn: PgConnection) -> dict[uuid.UUID, Counter[str]]:
    """Write outcomes to the items and counters to the migrations; finish migrations with nothing pending.

    Returns the outcomes counted per migration (for metrics and logs).
    """
    with conn.cursor() as cur:
        cur.execute(
            """
            UPDATE migration_items i
            SET outcome = b.outcome, reason = COALESCE(b.reason, ''), previous_offer = b.previous_offer,
                outcome_at = now(), dlt_partition = b.dlt_partition, dlt_offset = b.dlt_offset,
                published_at = COALESCE(i.published_at, now()),
                kafka_partition = COALESCE(i.kafka_partition, b.kafka_partition),
                kafka_offset = COALESCE(i.kafka_offset, b.kafka_offset)
            FROM _apply_batch b
            WHERE b.live AND b.outcome IS NOT NULL AND i.migration_id = b.migration_id AND i.row_number = b.row_number
            """
        )
        cur.execute(
            "SELECT migration_id, outcome, count(*), count(*) FILTER (WHERE NOT was_published) "
            "FROM _apply_batch WHERE live AND outcome IS NOT NULL GROUP BY 1, 2"
        )
        tallies: dict[uuid.UUID, Counter[str]] = {}
        newly_published: Counter[uuid.UUID] = Counter()
        for mid, outcome, count, unpublished in cur.fetchall():
            key = uuid.UUID(str(mid))
            tallies.setdefault(key, Counter())[outcome] = int(count)
            newly_published[key] += int(unpublished)
        if not tallies:
            return tallies
        ids = sorted(tallies)
        cur.execute("SELECT id FROM migrations WHERE id = ANY(%s::uuid[]) ORDER BY id FOR NO KEY UPDATE",
                    ([str(i) for i in ids],))
        columns = [COUNTER_COLUMNS[o] for o in ItemOutcome if o in COUNTER_COLUMNS and o is not ItemOutcome.REJECTED]
        outcomes = [o.value for o in ItemOutcome if o in COUNTER_COLUMNS and o is not ItemOutcome.REJECTED]
        sets = ", ".join(f"{c} = m.{c} + v.{c}" for c in columns)
        execute_values(
            cur,
            f"UPDATE migrations m SET {sets}, published = m.published + v.published, updated_at = now() "  # noqa: S608
            f"FROM (VALUES %s) AS v(id, published, {', '.join(columns)}) WHERE m.id = v.id",
            [(str(mid), newly_published[mid], *(tallies[mid][o] for o in outcomes)) for mid in ids],
            template="(%s::uuid, %s::bigint" + ", %s::bigint" * len(columns) + ")",
        )
        cur.execute(_TERMINAL_SQL, ([str(i) for i in ids],))
        return tallies
