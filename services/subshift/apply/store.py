"""The set-based apply: one temporary table per batch, a handful of statements, no per-row commit.

Within the caller's transaction:

1. ``stage`` copies the batch into ``_apply_batch`` (COPY of ``copy_text``, which the consumer
   builds before the transaction).
2. ``apply_round`` runs once per position of a user in the batch (a user's second change in a
   batch must see the first one's result). One statement runs the compare-and-set on
   ``subscriptions``, classifies what did not move (skipped, conflict, not found) and writes an
   outcome, with the Kafka position and time of its event (the item's lineage; the relay does not
   write items), only on items that still wait for one and whose event this is (same event id,
   user and offers: an event is trusted only as far as it repeats what was staged; a redelivered
   item, or one a concurrent consumer finished, is a no-op). The optimistic statements try first:
   the moves alone (the subscriptions that move and their items' ``applied``), then, if rows are
   left, the statement that decides them. They stand only if every subscription moved recorded its
   item and every staged row of the round recorded one; otherwise their savepoint is rolled back and
   the careful statement, which locks the items before it moves anything, runs.
3. ``find_orphans`` names the rows that no item accounts for: their item does not exist, or it
   is not their event's (another event id, user or offer: a forged or corrupted event). Both are
   dead letters; the item and the subscription are left as they are.
4. ``count_outcomes`` bumps the migration counters and makes a migration terminal once none
   of its items waits any more (``subshift.lifecycle.finished`` owns that arithmetic).
"""

from __future__ import annotations

import io
import uuid
import weakref
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from psycopg2.extras import execute_values

from subshift import lifecycle
from subshift.db.connect import PgConnection
from subshift.db.models import ItemOutcome

__all__ = [
    "Orphan",
    "StagedRow",
    "Tallies",
    "apply_round",
    "copy_text",
    "count_outcomes",
    "find_orphans",
    "set_dead_letter_positions",
    "stage",
]

_COLUMNS = ("idx", "seq", "migration_id", "row_number", "event_id", "user_id", "current_offer", "target_offer",
            "kafka_partition", "kafka_offset", "published_ms", "outcome", "reason")

_CREATE = """
CREATE TEMP TABLE IF NOT EXISTS _apply_batch (
    idx integer NOT NULL, seq integer NOT NULL, migration_id uuid NOT NULL, row_number bigint NOT NULL,
    event_id uuid, user_id text NOT NULL, current_offer text NOT NULL, target_offer text NOT NULL,
    kafka_partition integer NOT NULL, kafka_offset bigint NOT NULL, published_ms bigint, outcome text, reason text,
    dlt_partition integer, dlt_offset bigint
) ON COMMIT DELETE ROWS
"""

_PENDING = ItemOutcome.PENDING.value
_A = ItemOutcome
# The offer a row that did not move finds. Locked, not read: an UPDATE that waited for another
# transaction's write to the subscription rechecks the newest version, but a plain read in the same
# statement sees the statement's snapshot, from before the wait; the outcome and its reason would
# then describe the offer the user was on, not the one that refused the change. FOR SHARE (not KEY
# SHARE, which a non-key update does not conflict with) makes PostgreSQL return the newest version.
_SEEN_NOW = "(SELECT s.offer_code FROM subscriptions s WHERE s.user_id = {row}.user_id FOR SHARE)"
# What a row's outcome and reason are, from what it found (``seen``); ``carry`` names the columns passed on.
_DECIDED = f"""
decided AS (
    SELECT {{carry}}, seen_offer,
           CASE WHEN outcome IS NOT NULL THEN outcome
                WHEN moved THEN '{_A.APPLIED.value}'
                WHEN seen_offer IS NULL THEN '{_A.NOT_FOUND.value}'
                WHEN seen_offer = target_offer THEN '{_A.SKIPPED.value}'
                ELSE '{_A.CONFLICT.value}' END AS outcome,
           CASE WHEN outcome IS NOT NULL THEN COALESCE(reason, '')
                WHEN moved THEN ''
                WHEN seen_offer IS NULL THEN 'user ' || user_id || ' has no subscription'
                WHEN seen_offer = target_offer THEN 'user is already on offer ' || target_offer
                WHEN seen_offer = current_offer THEN 'target offer ' || target_offer || ' does not exist'
                ELSE 'user is on offer ' || seen_offer || ', not ' || current_offer END AS reason
    FROM seen
)"""  # noqa: S608
# The item's outcome and its lineage (the Kafka position and time of its event).
_RECORD_SET = """
    SET outcome = d.outcome, reason = d.reason, previous_offer = d.seen_offer, outcome_at = now(),
        dlt_partition = d.dlt_partition, dlt_offset = d.dlt_offset,
        published_at = COALESCE(i.published_at, to_timestamp(d.published_ms / 1000.0), now()),
        kafka_partition = COALESCE(i.kafka_partition, d.kafka_partition),
        kafka_offset = COALESCE(i.kafka_offset, d.kafka_offset)"""
_LINEAGE = "migration_id, row_number, kafka_partition, kafka_offset, published_ms, dlt_partition, dlt_offset"
# Only the item's own event may decide its outcome: a dead letter by its event id (NULL when it had
# none), a change by everything it would apply. ``{b}`` is the staged row; what fails the check is
# left to ``find_orphans``.
_OWN_EVENT = """i.event_id = {b}.event_id
      AND ({preset} IS NOT NULL
           OR (i.user_id = {b}.user_id AND i.current_offer = {b}.current_offer
               AND i.target_offer = {b}.target_offer))"""

# The compare-and-set both rounds share, over the round's rows ``{rows}`` (alias ``{r}``): the live
# target offers, the subscriptions moved, and what each row found.
_MOVE_AND_SEE = """
-- an offer removed since staging is a conflict, not a failed batch (a batch names a handful of offers;
-- materialized, so it is read once instead of once per row)
live AS MATERIALIZED (
    SELECT o.code FROM offers o WHERE o.code IN (SELECT {r}.target_offer FROM {rows} {r})
),
moved AS (
    UPDATE subscriptions s
    SET offer_code = {r}.target_offer, version = s.version + 1, updated_at = now()
    FROM {rows} {r}
    WHERE {r}.outcome IS NULL AND s.user_id = {r}.user_id AND s.offer_code = {r}.current_offer
      AND {r}.target_offer IN (SELECT code FROM live)
    RETURNING {r}.idx
),
-- What each row found: a moved row's subscription was on its current offer; the others are read.
-- "IN (SELECT … FROM moved)" stays a hashed subplan; a join to the CTE can become a quadratic nested loop.
seen AS MATERIALIZED (
    SELECT {r}.*, {r}.idx IN (SELECT idx FROM moved) AS moved,
           CASE WHEN {r}.outcome IS NOT NULL THEN NULL
                WHEN {r}.idx IN (SELECT idx FROM moved) THEN {r}.current_offer
                ELSE {seen_now} END AS seen_offer
    FROM {rows} {r}
),"""


def _move_and_see(rows: str, r: str) -> str:
    return _MOVE_AND_SEE.format(rows=rows, r=r, seen_now=_SEEN_NOW.format(row=r))


# The careful round: lock the items first, in key order, then move and record.
# Built from enum constants only (no input reaches these texts); $1 is the round (``seq``).
_ROUND_SQL = f"""
WITH locked AS (
    SELECT b.idx, b.migration_id, b.row_number, b.user_id, b.current_offer, b.target_offer, b.kafka_partition,
           b.kafka_offset, b.published_ms, b.outcome, b.reason, b.dlt_partition, b.dlt_offset, i.ctid AS item
    FROM _apply_batch b
    JOIN migration_items i ON i.migration_id = b.migration_id AND i.row_number = b.row_number
    WHERE b.seq = $1 AND i.outcome = '{_PENDING}'
      -- compared here, on the item row the lock reads anyway, so the check costs no round trip
      AND {_OWN_EVENT.format(b="b", preset="b.outcome")}
    ORDER BY i.migration_id, i.row_number
    FOR UPDATE OF i
),
{_move_and_see("locked", "l")}{_DECIDED.format(carry="item, " + _LINEAGE)},
-- The item by its locked row version (no second look-up); the key re-check guards the join.
recorded AS (
    UPDATE migration_items i{_RECORD_SET}
    FROM decided d
    WHERE i.ctid = d.item AND i.migration_id = d.migration_id AND i.row_number = d.row_number
    RETURNING d.migration_id, d.outcome
)
SELECT migration_id, outcome, count(*) FROM recorded GROUP BY 1, 2
"""  # noqa: S608

# The optimistic round: the compare-and-set reads the staged rows directly and the items are
# updated, not locked first, each found once by its key; the statement assumes every staged row of
# the round is its pending item's own event. ``apply_round`` checks that it recorded one outcome per
# staged row and otherwise rolls the round back and runs the careful one
# (docs/performance/2026-12-06-apply-cost.md). It names the round's one migration ($2): joined to the
# batch, the items would be hashed from every migration's partition (history included).
_FAST_CARRY = _LINEAGE + ", event_id, user_id, current_offer, target_offer, outcome AS preset"
_FAST_ROUND_SQL = f"""
WITH batch AS MATERIALIZED (
    SELECT * FROM _apply_batch b WHERE b.seq = $1 AND b.migration_id = $2
      AND b.idx NOT IN (SELECT unnest($3))  -- the rows the moves took (a hashed subplan)
),
{_move_and_see("batch", "b")}{_DECIDED.format(carry=_FAST_CARRY)},
recorded AS (
    UPDATE migration_items i{_RECORD_SET}
    FROM decided d
    WHERE i.migration_id = $2 AND i.row_number = d.row_number AND i.outcome = '{_PENDING}'
      AND {_OWN_EVENT.format(b="d", preset="d.preset")}
    RETURNING d.migration_id, d.outcome
)
SELECT migration_id, outcome, count(*) FROM recorded GROUP BY 1, 2
"""  # noqa: S608

# The moves of the optimistic round, first and alone: the compare-and-set over the round's changes
# and the outcome ``applied`` on the items of the subscriptions it moved, nothing else. Most rows of a
# bulk move take this path, which costs less than deciding every row's outcome in the same statement
# (docs/performance/2026-12-07-apply-moves-first.md). It stands only if every subscription it
# moved recorded its item; the rows it did not move (their ``idx`` returned, as array text) are then
# decided by ``_FAST_ROUND_SQL``.
_MOVES_SQL = f"""
WITH moved AS (
    UPDATE subscriptions s
    SET offer_code = b.target_offer, version = s.version + 1, updated_at = now()
    FROM _apply_batch b
    WHERE b.seq = $1 AND b.migration_id = $2 AND b.outcome IS NULL
      AND s.user_id = b.user_id AND s.offer_code = b.current_offer
      -- an offer removed since staging is not moved to (the full round records the conflict)
      AND b.target_offer IN (SELECT o.code FROM offers o)
    RETURNING b.idx, {", ".join("b." + column for column in _LINEAGE.split(", "))}, b.event_id, b.user_id,
              b.current_offer, b.target_offer, '{_A.APPLIED.value}' AS outcome, '' AS reason,
              b.current_offer AS seen_offer
),
recorded AS (
    UPDATE migration_items i{_RECORD_SET}
    FROM moved d
    WHERE i.migration_id = $2 AND i.row_number = d.row_number AND i.outcome = '{_PENDING}'
      AND {_OWN_EVENT.format(b="d", preset="NULL")}
    RETURNING 1
)
SELECT (SELECT count(*) FROM recorded), count(*), coalesce(array_agg(idx), '{{}}')::text FROM moved
"""  # noqa: S608

@dataclass(slots=True)  # not frozen: a frozen init costs more per row (docs/performance/consumer-slot-builders.md)
class StagedRow:
    """One record of the batch as the apply sees it; ``outcome`` is preset only for dead letters."""

    idx: int
    seq: int
    migration_id: uuid.UUID
    row_number: int
    event_id: str | None  # canonical text; None for a dead letter whose event id is not a UUID
    user_id: str
    current_offer: str
    target_offer: str
    partition: int
    offset: int
    outcome: str | None = None
    reason: str | None = None
    # When the broker took the event (record timestamp, ms since the epoch); the item's publish time.
    published_ms: int | None = None


def _n(value: int | None) -> str:
    return "\\N" if value is None else str(value)


def _text(value: str | None) -> str:
    if value is None:
        return "\\N"
    if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
        return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return value


def copy_text(rows: Sequence[StagedRow]) -> str:
    """The ``COPY`` text of ``rows`` for ``stage`` (pure: built off the database's critical path)."""
    # A batch names a few migrations: each id's text is built once (UUID.__str__ is Python code;
    # docs/performance/consumer-gc-thresholds.md).
    ids = {migration_id: str(migration_id) for migration_id in {r.migration_id for r in rows}}
    return "".join(
        f"{r.idx}\t{r.seq}\t{ids[r.migration_id]}\t{r.row_number}\t{_text(r.event_id)}\t{_text(r.user_id)}\t"
        f"{_text(r.current_offer)}\t{_text(r.target_offer)}\t{r.partition}\t{r.offset}\t{_n(r.published_ms)}\t"
        f"{_text(r.outcome)}\t{_text(r.reason)}\n"
        for r in rows
    )


def stage(conn: PgConnection, text: str) -> None:
    """Copy the batch (``copy_text`` of its rows) into this transaction's ``_apply_batch``."""
    buffer = io.StringIO(text)
    with conn.cursor() as cur:
        cur.execute(_CREATE)
        _prepare(conn, cur)
        # In one read: psycopg2 gives up the GIL around each chunk it sends, and the apply thread then
        # queues behind the consumer's decoding thread to take it back, once per 8 KB chunk by default
        # (docs/performance/consumer-copy-in-one-read.md).
        cur.copy_expert(f"COPY _apply_batch ({', '.join(_COLUMNS)}) FROM STDIN", buffer, size=max(len(text), 1))
        # A temporary table has no statistics until analysed: the planner then guesses the batch's
        # size. The round reads the batch once (``locked`` carries its columns), so the row count and
        # the round filter's column are all it needs, and far cheaper than every column
        # (docs/performance/apply-round-reads-batch-once.md).
        cur.execute("ANALYZE _apply_batch (seq)")
        # A batch is a few thousand rows against tables of millions: index look-ups are right. At the
        # default random_page_cost (4, tuned for spinning disks) the planner prefers hashing whole
        # ``migration_items`` and ``subscriptions`` scans once they reach a few hundred thousand rows,
        # which makes every batch cost grow with the tables (docs/performance/analyse-after-large-upload.md).
        # 1.1 is the usual SSD value.
        cur.execute("SET LOCAL random_page_cost = 1.1")


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


@dataclass
class Tallies:
    """Outcomes recorded per migration."""

    outcomes: dict[uuid.UUID, Counter[str]] = field(default_factory=dict)

    @property
    def recorded(self) -> int:
        return sum(sum(c.values()) for c in self.outcomes.values())


# Prepared once per connection (``stage`` does it, once the batch table exists): parsing and
# rewriting the round's statement is then not paid per batch (docs/performance/2026-12-06-apply-cost.md).
_CAREFUL = "subshift_apply_round"
_FAST = "subshift_apply_fast_round"
_MOVES = "subshift_apply_moves"
_prepared: weakref.WeakSet[PgConnection] = weakref.WeakSet()


def _prepare(conn: PgConnection, cur: Any) -> None:
    if conn in _prepared:
        return
    cur.execute(f"PREPARE {_CAREFUL} (integer) AS {_ROUND_SQL}")
    cur.execute(f"PREPARE {_FAST} (integer, uuid, integer[]) AS {_FAST_ROUND_SQL}")
    cur.execute(f"PREPARE {_MOVES} (integer, uuid) AS {_MOVES_SQL}")
    _prepared.add(conn)


def _tally(rows: Sequence[tuple[object, str, int]], tallies: Tallies) -> None:
    for mid, outcome, count in rows:
        tallies.outcomes.setdefault(uuid.UUID(str(mid)), Counter())[outcome] += int(count)


def apply_round(conn: PgConnection, seq: int, tallies: Tallies, *,
                optimistic_for: tuple[uuid.UUID, int] | None = None, moves_first: bool = True) -> bool:
    """Apply the ``seq``-th change of every user in the batch and record the outcomes (see the module doc).

    With ``optimistic_for`` (the round's one migration, how many staged rows the round has) the
    optimistic statements run first, in a savepoint, and stand only if they recorded an outcome for
    every one of them; otherwise they are rolled back and the careful round runs. Naming the migration
    lets PostgreSQL read its items partition alone, whatever the others hold. ``moves_first=False``
    decides every row in one statement, as the round did before the moves ran alone (for measurements).
    Returns whether the optimistic statements stood.
    """
    with conn.cursor() as cur:
        if optimistic_for is not None:
            migration_id, staged = optimistic_for
            cur.execute("SAVEPOINT subshift_round")
            applied, moved, taken = 0, 0, "{}"
            if moves_first:
                cur.execute(f"EXECUTE {_MOVES} (%s, %s)", (seq, str(migration_id)))
                applied, moved, taken = cur.fetchone()
            stood = moved == applied  # every subscription moved recorded its item
            rows: list[tuple[object, str, int]] = [(migration_id, _A.APPLIED.value, applied)] if applied else []
            if stood and applied < staged:
                cur.execute(f"EXECUTE {_FAST} (%s, %s, %s)", (seq, str(migration_id), taken))
                rows += cur.fetchall()
            if stood and sum(int(count) for _, _, count in rows) == staged:
                cur.execute("RELEASE SAVEPOINT subshift_round")
                _tally(rows, tallies)
                return True
            # A redelivery, an item another transaction finished, or an event that is not its item's.
            cur.execute("ROLLBACK TO SAVEPOINT subshift_round")
        cur.execute(f"EXECUTE {_CAREFUL} (%s)", (seq,))
        _tally(cur.fetchall(), tallies)
    return False


class Orphan(NamedTuple):
    """A staged change no item accounts for: ``mismatched`` names the fields in which its item differs
    (empty when the item does not exist at all)."""

    idx: int
    mismatched: tuple[str, ...]


# Only the fields' names: the item's own values are not the event's to learn (the DLT is read widely).
_ORPHANS_SQL = """
SELECT b.idx, i.row_number IS NOT NULL, array_remove(ARRAY[
    CASE WHEN i.event_id IS DISTINCT FROM b.event_id THEN 'event_id' END,
    CASE WHEN i.user_id IS DISTINCT FROM b.user_id THEN 'user_id' END,
    CASE WHEN i.current_offer IS DISTINCT FROM b.current_offer THEN 'current_offer' END,
    CASE WHEN i.target_offer IS DISTINCT FROM b.target_offer THEN 'target_offer' END], NULL)
FROM _apply_batch b
LEFT JOIN migration_items i ON i.migration_id = b.migration_id AND i.row_number = b.row_number
WHERE b.outcome IS NULL AND (i.row_number IS NULL OR i.event_id IS DISTINCT FROM b.event_id
      OR i.user_id IS DISTINCT FROM b.user_id OR i.current_offer IS DISTINCT FROM b.current_offer
      OR i.target_offer IS DISTINCT FROM b.target_offer)
ORDER BY b.idx
"""


def find_orphans(conn: PgConnection) -> list[Orphan]:
    """Rows whose item does not exist or is not their event's; rows already bound for the DLT are left out.

    A redelivered event (its item already has an outcome) matches its item and is not listed.
    """
    with conn.cursor() as cur:
        cur.execute(_ORPHANS_SQL)
        return [Orphan(int(idx), () if not exists else tuple(fields)) for idx, exists, fields in cur.fetchall()]


def count_outcomes(conn: PgConnection, tallies: Tallies) -> None:
    """Bump the migrations' counters by ``tallies`` and finish migrations with no pending item left.

    Raises:
        psycopg2.errors.LockNotAvailable: a cancel holds a migration row; the batch is retried.
    """
    lifecycle.count_outcomes(conn, tallies.outcomes)
