"""Reads of migrations and their items: one migration, pages of migrations, pages of items.

Pages use keyset positions (never OFFSET), so a page costs the same on page 1 and page 1,000,
and counts come from the migration's counters, never from scanning its items. Items are read from
their migration's partition: in row order along its primary key, or by outcome along its outcome
index once it has finished. While it runs there is no outcome index (it would cost every outcome
update its HOT path), and the finished migration's index leaves out ``applied`` (the commonest outcome,
read densely along the key), so such a page by outcome walks the primary key, at most ``SCAN_ROWS`` rows
of it per call: a page that found fewer items than asked in that span ends there, with a token that goes on
from where it stopped (fewer items than the page size, even none, is not the last page: only an empty
token is; every client follows tokens that way). Each call then costs the same whatever the
migration's size and however rare the outcome. An outcome the counters say is absent is not read at
all. A migration whose items were purged answers ``ItemsPurged`` with the date, never an empty page.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, Row, Select, and_, or_, select, text
from sqlalchemy.orm import Session

from subshift.api.db import ThreadConnections, database_errors, raw_read
from subshift.api.errors import ItemsPurged
from subshift.api.paging import decode_token, encode_token, page_size
from subshift.db.models import COUNTER_COLUMNS, ItemOutcome, Migration, MigrationItem, MigrationState
from subshift.errors import DataError, NotFoundError

__all__ = [
    "SCAN_ROWS",
    "ItemPage",
    "MigrationPage",
    "find_by_request_id",
    "get_migration",
    "items_page_query",
    "iter_items",
    "list_items",
    "list_migrations",
    "parse_migration_id",
]


@dataclass(frozen=True, slots=True)
class MigrationPage:
    migrations: list[Migration]
    next_page_token: str


@dataclass(frozen=True, slots=True)
class ItemPage:
    items: list[MigrationItem]
    next_page_token: str
    total_size: int


def parse_migration_id(value: str, *, column: str = "migration_id") -> uuid.UUID:
    """The UUID in ``value``.

    Raises:
        DataError: ``value`` is not a UUID.
    """
    try:
        return uuid.UUID(value)
    except (ValueError, AttributeError):
        raise DataError(f"{column} {value!r} is not a migration id (a UUID)", column=column,
                        rule="bad_migration_id") from None


def get_migration(engine: Engine | ThreadConnections, migration_id: uuid.UUID) -> Migration:
    """One migration (through the serving thread's own connection when given ``ThreadConnections``).

    Raises:
        NotFoundError: no such migration.
        InfrastructureError: the database failed.
    """
    # The hottest read of the API (clients poll it): one plain statement, no ORM identity map.
    if isinstance(engine, ThreadConnections):
        row = engine.fetch_one(_GET_MIGRATION, (str(migration_id),))
    else:
        with raw_read(engine) as connection, connection.cursor() as cursor:
            cursor.execute(_GET_MIGRATION, (str(migration_id),))
            row = cursor.fetchone()
    if row is None:
        raise NotFoundError(f"migration {migration_id} does not exist")
    return Migration(**dict(zip(_MIGRATION_COLUMNS, row, strict=True)))


_MIGRATION_COLUMNS = tuple(column.name for column in Migration.__table__.columns)
_GET_MIGRATION = f"SELECT {', '.join(_MIGRATION_COLUMNS)} FROM migrations WHERE id = %s"  # noqa: S608 - column names


def find_by_request_id(engine: Engine, request_id: str) -> Migration | None:
    """The migration created with ``request_id``, if any.

    Raises:
        InfrastructureError: the database failed.
    """
    with database_errors(), Session(engine, expire_on_commit=False) as session:
        return session.scalars(select(Migration).where(Migration.request_id == request_id)).one_or_none()


def list_migrations(engine: Engine, *, size: int, token: str, state: MigrationState | None) -> MigrationPage:
    """Migrations newest first, optionally in one state.

    Raises:
        DataError: a bad page size or token.
        InfrastructureError: the database failed.
    """
    limit = page_size(size, default=50, maximum=1000)
    query = select(Migration).order_by(Migration.created_at.desc(), Migration.id.desc()).limit(limit + 1)
    if state is not None:
        query = query.where(Migration.state == state.value)
    if token:
        position = decode_token(token, expect={"k": "migrations", "s": state.value if state else ""})
        try:
            created, last = datetime.fromisoformat(position["t"]), uuid.UUID(position["i"])
        except (KeyError, TypeError, ValueError):
            raise DataError("page_token is not a token this server issued", column="page_token",
                            rule="bad_page_token") from None
        query = query.where(or_(Migration.created_at < created,
                                and_(Migration.created_at == created, Migration.id < last)))
    with database_errors(), Session(engine, expire_on_commit=False) as session:
        rows = list(session.scalars(query))
    next_token = ""
    if len(rows) > limit:
        rows = rows[:limit]
        tail = rows[-1]
        next_token = encode_token({"k": "migrations", "s": state.value if state else "",
                                   "t": tail.created_at.isoformat(), "i": str(tail.id)})
    return MigrationPage(rows, next_token)


def _require_items(migration: Migration) -> None:
    if migration.items_purged_at is not None:
        raise ItemsPurged(f"migration {migration.id}'s items were purged on {migration.items_purged_at:%Y-%m-%d} "
                          "(retention); counts remain (GetMigration)")


def _total(migration: Migration, outcome: ItemOutcome | None) -> int:
    if migration.state == MigrationState.REJECTED.value:
        return 0  # a refused upload stages no items, though it counts its rejected rows
    if outcome is None:
        return migration.rows_rejected + migration.staged
    if outcome is ItemOutcome.PENDING:
        settled = sum(getattr(migration, column) for kind, column in COUNTER_COLUMNS.items()
                      if kind is not ItemOutcome.REJECTED)
        return int(migration.staged - settled)
    counted: int = getattr(migration, COUNTER_COLUMNS[outcome])
    return counted


# Rows of a running migration's primary key one page by outcome reads at most: a few hundredths of a
# second of the database's time (docs/performance/2026-12-07-apply-floor-and-bounded-reads.md).
SCAN_ROWS = 50_000


def items_page_query(migration_id: uuid.UUID, *, after: int, outcome: ItemOutcome | None,
                     limit: int, through: int | None = None) -> Select[MigrationItem]:
    """The items of one migration after row ``after`` (up to row ``through``), in row order, optionally with one
    outcome.

    One partition (the migration's), read along its primary key, or by an outcome other than ``applied``
    along its outcome index once the migration has finished (``subshift.lifecycle.storage.index_outcomes``).
    """
    query = (select(MigrationItem).where(MigrationItem.migration_id == migration_id,
                                         MigrationItem.row_number > after)
             .order_by(MigrationItem.row_number).limit(limit))
    if through is not None:
        query = query.where(MigrationItem.row_number <= through)
    if outcome is not None:
        query = query.where(MigrationItem.outcome == outcome.value)
    return query


def list_items(engine: Engine, migration_id: uuid.UUID, *, size: int, token: str,
               outcome: ItemOutcome | None) -> ItemPage:
    """A page of one migration's items in row order, optionally with one outcome.

    Raises:
        NotFoundError: no such migration.
        ItemsPurged: its items were purged.
        DataError: a bad page size or token.
        InfrastructureError: the database failed.
    """
    migration = get_migration(engine, migration_id)
    _require_items(migration)
    limit = page_size(size, default=100, maximum=1000)
    after = 0
    if token:
        position = decode_token(token, expect={"m": str(migration_id), "o": outcome.value if outcome else ""})
        after = position.get("r", 0)
        if not isinstance(after, int):
            raise DataError("page_token is not a token this server issued", column="page_token",
                            rule="bad_page_token")
    total = _total(migration, outcome)
    if total == 0:  # the counters equal a recount of the items: there is nothing to read
        return ItemPage([], "", 0)
    # A running migration's items by outcome (no index yet), or any migration's applied items (left out of
    # the index): one call reads a bounded span of rows.
    spanned = outcome is ItemOutcome.APPLIED or (outcome is not None and not MigrationState(migration.state).terminal)
    through = after + SCAN_ROWS if spanned else None
    query = items_page_query(migration_id, after=after, outcome=outcome, limit=limit + 1, through=through)
    with database_errors(), Session(engine, expire_on_commit=False) as session:
        rows = list(session.scalars(query))
        if len(rows) > limit:
            rows, resume = rows[:limit], rows[limit - 1].row_number
        elif through is not None and (session.scalar(_LAST_ROW, {"mid": str(migration_id)}) or 0) > through:
            resume = through  # the span ended before the page filled: go on from there
        else:
            resume = None
    next_token = "" if resume is None else encode_token(
        {"m": str(migration_id), "o": outcome.value if outcome else "", "r": resume})
    return ItemPage(rows, next_token, total)


# The migration's last row: one step down the end of its partition's primary key.
_LAST_ROW = text("SELECT max(row_number) FROM migration_items WHERE migration_id = :mid")


_ITEMS = MigrationItem.__table__


def iter_items(engine: Engine, migration_id: uuid.UUID, *, outcome: ItemOutcome | None,
               batch: int = 5000) -> Iterator[Sequence[Row[Any]]]:
    """Every item of a migration in row order, as plain rows, a batch at a time (one short query each).

    Plain rows, not ORM objects: an export of a million items should cost the query, not the mapping.

    Raises:
        NotFoundError: no such migration.
        ItemsPurged: its items were purged.
        InfrastructureError: the database failed.
    """
    _require_items(get_migration(engine, migration_id))
    after = 0
    while True:
        query = (select(_ITEMS).where(_ITEMS.c.migration_id == migration_id, _ITEMS.c.row_number > after)
                 .order_by(_ITEMS.c.row_number).limit(batch))
        if outcome is not None:
            query = query.where(_ITEMS.c.outcome == outcome.value)
        with database_errors(), engine.connect() as connection:
            rows = connection.execute(query).all()
        if not rows:
            return
        yield rows
        after = rows[-1].row_number
