"""The consumer's part of a migration's life: count outcomes, and finish a migration once no item waits.

On the consumer's hot path: one statement bumps every migration of a batch, one finishes those done.
A migration finished here has its items indexed by outcome (``storage.index_outcomes``), once.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Mapping

from psycopg2.extras import execute_values

from subshift.db.connect import PgConnection
from subshift.db.models import MigrationState
from subshift.lifecycle._sql import states_in
from subshift.lifecycle.counters import OUTCOME_COLUMNS, finished_state_sql, recorded_sql
from subshift.lifecycle.locks import lock_migrations
from subshift.lifecycle.states import Actor, sources
from subshift.lifecycle.storage import index_outcomes

__all__ = ["count_outcomes"]

_S = MigrationState
# SUCCEEDED and SUCCEEDED_WITH_ERRORS have the same sources (a unit test holds the table to it).
_FINISHING = sources(_S.SUCCEEDED, Actor.CONSUMER)

_COLUMNS = list(OUTCOME_COLUMNS.values())
_BUMPS = ", ".join(f"{c} = m.{c} + v.{c}" for c in _COLUMNS)
_NAMES = ", ".join(_COLUMNS)
# Built from the counter columns' names and enum constants only (no input reaches these texts).
_BUMP_SQL = (f"UPDATE migrations m SET {_BUMPS}, updated_at = now() "  # noqa: S608
             f"FROM (VALUES %s) AS v(id, {_NAMES}) WHERE m.id = v.id")
_BUMP_TEMPLATE = "(%s::uuid" + ", %s::bigint" * len(_COLUMNS) + ")"

# A migration has no pending item left once its outcome counters add up to what it staged (they are
# bumped in the transactions that record the outcomes, so they always equal a recount of the items).
_FINISHING_GUARD = states_in("m.state", _FINISHING)
_FINISHED_STATE = finished_state_sql("m")
_RECORDED = recorded_sql("m")
_FINISH_SQL = f"""
UPDATE migrations m
SET state = {_FINISHED_STATE}, completed_at = now(), updated_at = now()
WHERE m.id = ANY(%s::uuid[]) AND {_FINISHING_GUARD}
  AND {_RECORDED} >= m.staged
RETURNING m.id, m.state
"""  # noqa: S608


def count_outcomes(conn: PgConnection, outcomes: Mapping[uuid.UUID, Counter[str]]) -> None:
    """Bump the migrations' counters by ``outcomes`` (per migration, per outcome value) and finish those done.

    The consumer holds the items' locks already: migration rows come second, by id, waiting a bounded
    time (``locks``), so a cancel holding a row makes this batch roll back and retry, not deadlock.

    Raises:
        psycopg2.errors.LockNotAvailable: a cancel holds a migration row, or a redelivered batch still holds
            a finished migration's items; the batch is retried.
    """
    if not outcomes:
        return
    ids = sorted(outcomes)
    lock_migrations(conn, ids)
    with conn.cursor() as cur:
        execute_values(cur, _BUMP_SQL,
                       [(str(mid), *(outcomes[mid][o.value] for o in OUTCOME_COLUMNS)) for mid in ids],
                       template=_BUMP_TEMPLATE)
        cur.execute(_FINISH_SQL, ([str(i) for i in ids],))
        for finished, _state in cur.fetchall():
            index_outcomes(cur, uuid.UUID(str(finished)))
