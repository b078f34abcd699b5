"""Finished (or running) migrations with many items, written the way an upload and the consumer leave them.

Items go in through one ``COPY`` fed a batch at a time, so a million of them take seconds and little memory;
PostgreSQL fills each event id (revision 0002's default).
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Iterator, Mapping

from subshift.api.copy_source import CopySource
from subshift.db.connect import PgConnection
from subshift.db.models import COUNTER_COLUMNS, ItemOutcome, MigrationState
from subshift.lifecycle.storage import attach_items_table, create_items_table, index_outcomes

_BATCH = 20_000


def _lines(migration_id: uuid.UUID, outcomes: Mapping[int, ItemOutcome], count: int) -> Iterator[str]:
    """Rows 2..count+1; ``outcomes`` names the rows whose outcome is not the default (applied)."""
    prefix = f"{migration_id}\t"
    batch: list[str] = []
    for row in range(2, count + 2):
        outcome = outcomes.get(row, ItemOutcome.APPLIED).value
        batch.append(f"{prefix}{row}\tu{row:07d}\tbasic\tgold\t{outcome}\n")
        if len(batch) == _BATCH:
            yield "".join(batch)
            batch = []
    if batch:
        yield "".join(batch)


def seed_migration(conn: PgConnection, count: int, *, state: MigrationState = MigrationState.SUCCEEDED_WITH_ERRORS,
                   outcomes: Mapping[int, ItemOutcome] | None = None, finished_days_ago: int = 0) -> uuid.UUID:
    """A migration of ``count`` items, applied except the rows named in ``outcomes``, its counters to match.

    Committed. A running ``state`` leaves ``completed_at`` unset; a finished one has its items indexed by
    outcome, as the lifecycle's finishing writers leave them.
    """
    outcomes = outcomes or {}
    migration_id = uuid.uuid4()
    tally = Counter(outcomes.values())
    tally[ItemOutcome.APPLIED] += count - len(outcomes)
    counters = {COUNTER_COLUMNS[outcome]: n for outcome, n in tally.items() if outcome in COUNTER_COLUMNS}
    columns = ", ".join(counters)
    with conn.cursor() as cur:
        cur.execute(
            f"INSERT INTO migrations (id, content_sha256, state, created_by, rows_received, staged, published, "  # noqa: S608
            f"publish_cursor, completed_at, {columns}) VALUES (%s, %s, %s, 'storage-test', %s, %s, %s, %s, "
            f"CASE WHEN %s THEN now() - make_interval(days => %s) END, {', '.join(['%s'] * len(counters))})",
            (str(migration_id), uuid.uuid4().hex, state.value, count, count, count, count + 1, state.terminal,
             finished_days_ago, *counters.values()),
        )
        create_items_table(cur, migration_id)
        attach_items_table(cur, migration_id)
        CopySource(_lines(migration_id, outcomes, count)).copy_into(
            cur, "COPY migration_items (migration_id, row_number, user_id, current_offer, target_offer, outcome) "
                 "FROM STDIN")
        if state.terminal:
            index_outcomes(cur, migration_id)
    conn.commit()
    return migration_id
