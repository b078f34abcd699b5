"""The relay's part of a migration's life: count what the broker acknowledged, PENDING → PUBLISHING → APPLYING."""

from __future__ import annotations

import uuid
from collections.abc import Mapping

from subshift.db.connect import PgConnection
from subshift.db.models import MigrationState
from subshift.lifecycle._sql import states_in
from subshift.lifecycle.locks import lock_migrations
from subshift.lifecycle.states import PUBLISHABLE, Actor, sources

__all__ = ["count_published"]

_S = MigrationState

_PUBLISHABLE = states_in("m.state", PUBLISHABLE)
_TO_PUBLISHING = states_in("m.state", sources(_S.PUBLISHING, Actor.RELAY))
_TO_APPLYING = states_in("m.state", sources(_S.APPLYING, Actor.RELAY))
# Built from enum constants only (no input reaches this text). A migration that ended (a cancel or
# a failure) keeps its counters: they are final once it ends, even for a batch claimed just before.
_MARK_SQL = f"""
UPDATE migrations m
SET publish_cursor = %(cursor)s, published = m.published + %(n)s, updated_at = now(),
    state = CASE
        WHEN NOT ({_PUBLISHABLE}) THEN m.state
        WHEN m.published + %(n)s < m.staged
            THEN CASE WHEN {_TO_PUBLISHING}
                      THEN '{_S.PUBLISHING.value}' ELSE m.state END
        WHEN {_TO_APPLYING} THEN '{_S.APPLYING.value}'
        ELSE m.state END
WHERE m.id = %(mid)s AND m.publish_cursor = %(start)s
  AND m.state NOT IN ('{_S.CANCELLED.value}', '{_S.FAILED.value}')
"""  # noqa: S608


def count_published(conn: PgConnection, progress: Mapping[uuid.UUID, tuple[int, int, int]]) -> int:
    """Move each migration's cursor past its acknowledged items; returns how many items were counted.

    ``progress`` maps a migration to ``(start, cursor, count)``: its cursor when claimed, the last
    row of the unbroken run of acknowledged items from there, and how many staged items that run
    holds. A cursor that is no longer at ``start`` is left alone (nothing is counted twice), and so is
    an ended migration's.

    Raises:
        psycopg2.errors.LockNotAvailable: a cancel holds a migration row; the batch is republished later.
    """
    moving = {mid: p for mid, p in progress.items() if p[2] > 0}
    if not moving:
        return 0
    lock_migrations(conn, moving)
    counted = 0
    with conn.cursor() as cur:
        for mid, (start, cursor, n) in sorted(moving.items()):
            cur.execute(_MARK_SQL, {"mid": str(mid), "start": start, "cursor": cursor, "n": n})
            counted += n if cur.rowcount == 1 else 0
    return counted
