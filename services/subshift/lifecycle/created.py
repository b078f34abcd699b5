"""A migration's first states: VALIDATING while its rows are staged, then PENDING; or REJECTED.

An upload (or a revert) inserts its migration VALIDATING and moves it to PENDING in the same
transaction that stages its items, so no other transaction ever sees VALIDATING. A refused upload
rolls that transaction back and records the attempt as REJECTED in a transaction of its own.

The migration's items table is created with it and attached to ``migration_items`` when it is
staged (``storage``); in between, the items are written to ``storage.items_table(id)`` by name.
A REJECTED migration stages nothing and has no items table.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from subshift.db.models import MigrationState
from subshift.lifecycle.states import Actor, IllegalTransitionError, require
from subshift.lifecycle.storage import attach_items_table, create_items_table

__all__ = ["NewMigration", "insert_rejected", "insert_validating", "mark_staged"]

_S = MigrationState


@dataclass(frozen=True, slots=True)
class NewMigration:
    """The columns a migration is created with."""

    id: uuid.UUID
    request_id: str | None
    content_sha256: str
    description: str
    created_by: str
    trace_parent: str | None = None
    max_rows_per_second: int = 0
    max_rejected_rows: int | None = None
    reverts_migration_id: uuid.UUID | None = None


def insert_validating(cursor: Any, new: NewMigration, *, actor: Actor) -> None:
    """Insert ``new`` as VALIDATING (``actor``: an upload or a revert), with its items table (``storage``).

    Raises:
        psycopg2.errors.UniqueViolation: its request id is taken (the caller replays that migration).
    """
    require(None, _S.VALIDATING, actor)
    cursor.execute(
        "INSERT INTO migrations (id, request_id, content_sha256, description, state, created_by, max_rows_per_second, "
        "max_rejected_rows, reverts_migration_id, trace_parent) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
        (new.id, new.request_id, new.content_sha256, new.description, _S.VALIDATING.value, new.created_by,
         new.max_rows_per_second, new.max_rejected_rows, new.reverts_migration_id, new.trace_parent),
    )
    create_items_table(cursor, new.id)


def mark_staged(cursor: Any, migration_id: uuid.UUID, *, actor: Actor, received: int, rejected: int, staged: int,
                content_sha256: str | None = None) -> None:
    """VALIDATING → PENDING with its row counts (and, for an upload, the digest of its bytes); its items
    table becomes its partition of ``migration_items``.

    Raises:
        IllegalTransitionError: the migration is not VALIDATING (a bug: it is this transaction's own).
    """
    require(_S.VALIDATING, _S.PENDING, actor)
    cursor.execute(
        "UPDATE migrations SET state = %s, content_sha256 = COALESCE(%s, content_sha256), rows_received = %s, "
        "rows_rejected = %s, staged = %s, updated_at = now() WHERE id = %s AND state = %s",
        (_S.PENDING.value, content_sha256, received, rejected, staged, migration_id, _S.VALIDATING.value),
    )
    if cursor.rowcount != 1:
        raise IllegalTransitionError(f"migration {migration_id} was not validating when its rows were staged")
    attach_items_table(cursor, migration_id)


def insert_rejected(cursor: Any, new: NewMigration, *, reason: str, received: int, rejected: int) -> None:
    """Record a refused upload as REJECTED, finished at once, with nothing staged."""
    require(None, _S.REJECTED, Actor.UPLOAD)
    cursor.execute(
        "INSERT INTO migrations (id, request_id, content_sha256, description, state, state_reason, created_by, "
        "max_rows_per_second, max_rejected_rows, rows_received, rows_rejected, completed_at) "
        "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, now())",
        (new.id, new.request_id, new.content_sha256, new.description, _S.REJECTED.value, reason, new.created_by,
         new.max_rows_per_second, new.max_rejected_rows, received, rejected),
    )
