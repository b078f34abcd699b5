"""Tables of Subshift.

``migration_items`` holds every row of an upload with its lineage and outcome, and is the
outbox: the relay publishes a migration's items in row order and moves the migration's
``publish_cursor`` past what the broker acknowledged, writing nothing per item. The consumer
records each item's outcome and Kafka position. Counters on ``migrations`` are bumped in the
same transactions that change items, so reading a migration never scans its items (and always
equals a recount of them).

``migration_items`` is partitioned by migration (``PARTITION BY LIST (migration_id)``, revision
0009): each migration's items are a table of their own, created with the migration and dropped when
its items are purged (``subshift.lifecycle.storage``, ``subshift.lifecycle.purged``). Storage
parameters belong to the partitions (fillfactor 50: room on each page for an item's outcome update).

An item is updated once after staging (its outcome) without touching an index while its migration
runs: no index names a column that update changes, and pages keep room for the new version, so it is
mostly a heap-only (HOT) update (revisions 0003 and 0004). Once a migration has finished, its
partition gets an index on ``(outcome, row_number)`` leaving out ``applied``
(``subshift.lifecycle.storage.index_outcomes``), so a page of its items by any other outcome is read
from an index whatever its size
(docs/performance/items-by-outcome-index.md gives the measurements).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Text,
    Uuid,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

__all__ = [
    "COUNTER_COLUMNS",
    "AuditRecord",
    "Base",
    "ConsumerOffset",
    "ItemOutcome",
    "Migration",
    "MigrationItem",
    "MigrationState",
    "Offer",
    "Subscription",
]

_NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=_NAMING)


class MigrationState(StrEnum):
    """Mirrors ``subshift.migration.v1.MigrationState`` (lower-case names)."""

    VALIDATING = "validating"
    REJECTED = "rejected"
    PENDING = "pending"
    PUBLISHING = "publishing"
    APPLYING = "applying"
    SUCCEEDED = "succeeded"
    SUCCEEDED_WITH_ERRORS = "succeeded_with_errors"
    CANCELLED = "cancelled"
    FAILED = "failed"

    @property
    def terminal(self) -> bool:
        return self in _TERMINAL


_TERMINAL = frozenset(
    {
        MigrationState.REJECTED,
        MigrationState.SUCCEEDED,
        MigrationState.SUCCEEDED_WITH_ERRORS,
        MigrationState.CANCELLED,
        MigrationState.FAILED,
    }
)


class ItemOutcome(StrEnum):
    """Mirrors ``subshift.migration.v1.ItemOutcome`` (lower-case names)."""

    PENDING = "pending"
    APPLIED = "applied"
    SKIPPED = "skipped"
    CONFLICT = "conflict"
    NOT_FOUND = "not_found"
    REJECTED = "rejected"
    CANCELLED = "cancelled"
    DEAD_LETTERED = "dead_lettered"


# Outcome → the migrations column that counts it (pending is counted by staged - outcomes).
COUNTER_COLUMNS: dict[ItemOutcome, str] = {
    ItemOutcome.APPLIED: "applied",
    ItemOutcome.SKIPPED: "skipped",
    ItemOutcome.CONFLICT: "conflicts",
    ItemOutcome.NOT_FOUND: "not_found",
    ItemOutcome.REJECTED: "rows_rejected",
    ItemOutcome.CANCELLED: "cancelled",
    ItemOutcome.DEAD_LETTERED: "dead_lettered",
}


def _values(enum: type[StrEnum]) -> str:
    return ", ".join(f"'{member.value}'" for member in enum)


class Offer(Base):
    __tablename__ = "offers"

    code: Mapped[str] = mapped_column(Text, primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(Boolean, server_default=text("true"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class Subscription(Base):
    __tablename__ = "subscriptions"
    __table_args__ = ({"postgresql_with": {"fillfactor": 80}},)

    user_id: Mapped[str] = mapped_column(Text, primary_key=True)
    # No index and no foreign key: the apply rewrites subscriptions in place (HOT) and checks the
    # target offer exists itself; offers are never deleted (revision 0003 gives the measurements).
    offer_code: Mapped[str] = mapped_column(Text)
    version: Mapped[int] = mapped_column(BigInteger, server_default=text("1"))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class Migration(Base):
    __tablename__ = "migrations"
    __table_args__ = (
        CheckConstraint(f"state IN ({_values(MigrationState)})", name="state"),
        Index("ix_migrations_created_at", "created_at"),
        Index("ix_migrations_state_created_at", "state", "created_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    request_id: Mapped[str | None] = mapped_column(Text, unique=True)
    content_sha256: Mapped[str] = mapped_column(Text)
    description: Mapped[str] = mapped_column(Text, server_default="")
    state: Mapped[str] = mapped_column(Text)
    state_reason: Mapped[str] = mapped_column(Text, server_default="")
    created_by: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    completed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    max_rows_per_second: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    max_rejected_rows: Mapped[int | None] = mapped_column(BigInteger)
    reverts_migration_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("migrations.id"))
    trace_parent: Mapped[str | None] = mapped_column(Text)
    rows_received: Mapped[int] = mapped_column(BigInteger, server_default=text("0"))
    rows_rejected: Mapped[int] = mapped_column(BigInteger, server_default=text("0"))
    staged: Mapped[int] = mapped_column(BigInteger, server_default=text("0"))
    published: Mapped[int] = mapped_column(BigInteger, server_default=text("0"))
    # The row up to which the broker has acknowledged the migration's events (the relay's position).
    publish_cursor: Mapped[int] = mapped_column(BigInteger, server_default=text("0"))
    applied: Mapped[int] = mapped_column(BigInteger, server_default=text("0"))
    skipped: Mapped[int] = mapped_column(BigInteger, server_default=text("0"))
    conflicts: Mapped[int] = mapped_column(BigInteger, server_default=text("0"))
    not_found: Mapped[int] = mapped_column(BigInteger, server_default=text("0"))
    cancelled: Mapped[int] = mapped_column(BigInteger, server_default=text("0"))
    dead_lettered: Mapped[int] = mapped_column(BigInteger, server_default=text("0"))
    # When its items were purged (its partition dropped); the counters above still describe them.
    items_purged_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class MigrationItem(Base):
    """One CSV row of a migration: its event (the outbox entry), its Kafka lineage and its outcome."""

    __tablename__ = "migration_items"
    __table_args__ = (
        CheckConstraint(f"outcome IN ({_values(ItemOutcome)})", name="outcome"),
        # Each partition is created with fillfactor 50, and indexed by outcome once its migration has
        # finished (``subshift.lifecycle.storage``).
        {"postgresql_partition_by": "LIST (migration_id)"},
    )

    # No foreign key to ``migrations``: its per-row check halves staging's COPY. Items are written
    # only in the transaction that inserts their migration; a purge drops them with their partition.
    migration_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    row_number: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    user_id: Mapped[str] = mapped_column(Text)
    current_offer: Mapped[str] = mapped_column(Text)
    target_offer: Mapped[str] = mapped_column(Text)
    # Filled by PostgreSQL during staging's COPY (revision 0002); NULL for rejected rows.
    event_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, server_default=text("gen_random_uuid()"))
    outcome: Mapped[str] = mapped_column(Text, server_default=ItemOutcome.PENDING.value)
    reason: Mapped[str] = mapped_column(Text, server_default="")
    column_name: Mapped[str] = mapped_column(Text, server_default="")
    trace_parent: Mapped[str | None] = mapped_column(Text)
    published_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    kafka_partition: Mapped[int | None] = mapped_column(Integer)
    kafka_offset: Mapped[int | None] = mapped_column(BigInteger)
    outcome_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    previous_offer: Mapped[str | None] = mapped_column(Text)
    dlt_partition: Mapped[int | None] = mapped_column(Integer)
    dlt_offset: Mapped[int | None] = mapped_column(BigInteger)


class ConsumerOffset(Base):
    """The next offset to read per (group, topic, partition), written in the apply transaction."""

    __tablename__ = "consumer_offsets"

    group_id: Mapped[str] = mapped_column(Text, primary_key=True)
    topic: Mapped[str] = mapped_column(Text, primary_key=True)
    partition: Mapped[int] = mapped_column(Integer, primary_key=True)
    next_offset: Mapped[int] = mapped_column(BigInteger)
    # What the offset counts records of (NULL in rows stored before revision 0007).
    cluster_id: Mapped[str | None] = mapped_column(Text, nullable=True)
    topic_id: Mapped[str | None] = mapped_column(Text, nullable=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class DeadLetterReplay(Base):
    """A dead-letter record replayed (or being replayed), whatever filter chose it: each is replayed once."""

    __tablename__ = "dead_letter_replays"

    topic: Mapped[str] = mapped_column(Text, primary_key=True)
    topic_id: Mapped[str] = mapped_column(Text, primary_key=True)  # the Kafka topic id ('' when unknown)
    partition: Mapped[int] = mapped_column(Integer, primary_key=True)
    offset: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    replay_count: Mapped[int] = mapped_column(Integer)
    replayed_by: Mapped[str] = mapped_column(Text)
    replayed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    # False between the claim's commit and the broker's acknowledgement: a replay that failed in
    # between is claimed again by the next one.
    produced: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))


class AuditRecord(Base):
    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now(), index=True)
    subject: Mapped[str] = mapped_column(Text)
    method: Mapped[str] = mapped_column(Text)
    migration_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, index=True)
    outcome: Mapped[str] = mapped_column(Text)
    detail: Mapped[dict[str, object]] = mapped_column(JSONB, server_default=text("'{}'::jsonb"))
