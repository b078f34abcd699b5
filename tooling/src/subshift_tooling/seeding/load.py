"""Replace the demo data in PostgreSQL: upsert the catalog, reload demo subscriptions with ``COPY``.

Demo data is recognisable by its keys: offers ``OFFER-…`` and users ``u`` + a digit. Anything
else in the tables (other teams' rows, test fixtures) is kept as it is. Reseeding is safe to
repeat and keeps history; the steps, all in one transaction:

1. Lock ``subscriptions`` (readers and the consumer wait a few seconds rather than see it
   half-loaded), then refuse if a migration still has pending items for demo users (its
   consumer would apply them to rows being replaced), unless forced.
2. Upsert the catalog's offers; demo offers outside the new catalog are retired (made
   inactive), never deleted, because past migrations' items name them.
3. Keep the non-demo subscriptions aside in a temporary table, ``TRUNCATE subscriptions``,
   set its constraints and indexes aside (their definitions are read from the catalog, so
   this follows the schema wherever it goes), put the kept rows back and ``COPY … FREEZE`` the
   population, then rebuild constraints and indexes: one sorted build per index and one join
   to validate the foreign key is several times faster than maintaining them row by row
   (docs/performance/seeding-copy-then-constraints.md).
4. Commit, then ``ANALYZE`` so the planner sees the new table at once.

No table has a foreign key to ``subscriptions``; ``migrations`` and ``migration_items`` are
left untouched (items name users and offers by value, so old migrations stay readable).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import psycopg2
import psycopg2.errors
from psycopg2.extras import execute_values

from subshift.config import DatabaseSettings
from subshift.db.connect import connect
from subshift.db.models import ItemOutcome, MigrationState
from subshift.errors import ConflictError, ContractError, InfrastructureError
from subshift_tooling.seeding.catalog import OFFER_CODE_PREFIX, DemoCatalog
from subshift_tooling.seeding.copy_source import PopulationCopySource
from subshift_tooling.seeding.population import Population

__all__ = ["LoadSummary", "load_demo_data"]

# Demo user ids (``u0000001``, see ``user_id``) are the keys in ["u0", "u:"): ':' follows '9'.
# A range, not a regular expression, so the primary key index finds the other rows at once.
_DEMO_USERS = ("u0", "u:")
_IN_FLIGHT = [state.value for state in MigrationState if not state.terminal]

Cursor = Any  # psycopg2 ships no type information


@dataclass(frozen=True, slots=True)
class LoadSummary:
    offers_active: int
    offers_inactive: int
    offers_retired: int
    subscribers: int
    other_subscriptions_kept: int
    seconds: float


def _refuse_in_flight(cursor: Cursor) -> None:
    cursor.execute(
        "SELECT m.id, m.state FROM migrations m WHERE m.state = ANY(%s) AND EXISTS ("
        " SELECT 1 FROM migration_items i WHERE i.migration_id = m.id AND i.outcome = %s"
        " AND i.user_id >= %s AND i.user_id < %s) ORDER BY m.created_at LIMIT 3",
        (_IN_FLIGHT, ItemOutcome.PENDING.value, *_DEMO_USERS),
    )
    rows = cursor.fetchall()
    if rows:
        named = ", ".join(f"{migration_id} ({state})" for migration_id, state in rows)
        raise ConflictError(
            f"migrations still have demo users to apply: {named}; wait for them to finish, "
            "cancel them (`subshift migrate cancel ID`), or reseed with --force"
        )


def _upsert_offers(cursor: Cursor, catalog: DemoCatalog) -> int:
    execute_values(
        cursor,
        "INSERT INTO offers (code, name, active) VALUES %s "
        "ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name, active = EXCLUDED.active",
        [(offer.code, offer.name, offer.active) for offer in catalog.offers],
    )
    cursor.execute(
        "UPDATE offers SET active = false WHERE active AND starts_with(code, %s) AND NOT (code = ANY(%s))",
        (OFFER_CODE_PREFIX, [offer.code for offer in catalog.offers]),
    )
    return int(cursor.rowcount)


def _set_aside_constraints_and_indexes(cursor: Cursor) -> list[str]:
    """Drop the table's constraints and indexes; return the statements that rebuild them."""
    cursor.execute(
        "SELECT conname, contype, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE conrelid = 'subscriptions'::regclass AND contype IN ('p', 'u', 'f') "
        "ORDER BY contype = 'f' DESC"  # foreign keys first: a key they use cannot go before them
    )
    constraints: list[tuple[str, str, str]] = cursor.fetchall()
    cursor.execute(
        "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() "
        "AND tablename = 'subscriptions' AND indexname NOT IN "
        "(SELECT conname FROM pg_constraint WHERE conrelid = 'subscriptions'::regclass)"
    )
    indexes: list[tuple[str, str]] = cursor.fetchall()
    for name, _kind, _definition in constraints:
        cursor.execute(f'ALTER TABLE subscriptions DROP CONSTRAINT "{name}"')
    for name, _definition in indexes:
        cursor.execute(f'DROP INDEX "{name}"')

    def add(name: str, definition: str) -> str:
        return f'ALTER TABLE subscriptions ADD CONSTRAINT "{name}" {definition}'

    keys = [add(name, definition) for name, kind, definition in constraints if kind != "f"]
    foreign = [add(name, definition) for name, kind, definition in constraints if kind == "f"]
    return keys + [definition for _name, definition in indexes] + foreign


def _replace_subscriptions(cursor: Cursor, population: Population) -> int:
    cursor.execute(
        "CREATE TEMPORARY TABLE kept_subscriptions ON COMMIT DROP AS "
        "SELECT * FROM subscriptions WHERE user_id < %s OR user_id >= %s",
        _DEMO_USERS,
    )
    kept = int(cursor.rowcount)
    cursor.execute("TRUNCATE subscriptions")
    rebuild = _set_aside_constraints_and_indexes(cursor)
    cursor.execute("INSERT INTO subscriptions SELECT * FROM kept_subscriptions")
    # Loaded frozen and all-visible (the table was truncated in this transaction): no later pass has
    # to set the rows' hint bits or freeze them, neither autovacuum nor the first update of each row.
    cursor.copy_expert("COPY subscriptions (user_id, offer_code) FROM STDIN WITH (FREEZE)",
                       PopulationCopySource(population))
    cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
    for statement in rebuild:
        cursor.execute(statement)
    return kept


def load_demo_data(
    settings: DatabaseSettings, catalog: DemoCatalog, population: Population, *, force: bool = False
) -> LoadSummary:
    """Replace the demo offers and subscriptions (see the module docstring for the steps).

    Raises:
        ConflictError: a migration still has demo users to apply and ``force`` is false.
        ContractError: the schema is missing (run ``subshift db upgrade``).
        InfrastructureError: the database cannot be reached.
    """
    started = time.perf_counter()
    try:
        connection = connect(settings, application_name="subshift-seed")
    except psycopg2.OperationalError as error:
        raise InfrastructureError(
            f"cannot reach the database at {settings.redacted()}: {str(error).strip()}", retryable=True
        ) from error
    try:
        with connection, connection.cursor() as cursor:
            cursor.execute("LOCK TABLE subscriptions IN ACCESS EXCLUSIVE MODE")
            if not force:
                _refuse_in_flight(cursor)
            retired = _upsert_offers(cursor, catalog)
            kept = _replace_subscriptions(cursor, population)
        with connection, connection.cursor() as cursor:
            cursor.execute("ANALYZE subscriptions")
    except psycopg2.errors.UndefinedTable as error:
        raise ContractError(
            f"the database at {settings.redacted()} has no Subshift schema; run `subshift db upgrade` first"
        ) from error
    except psycopg2.OperationalError as error:
        raise InfrastructureError(f"the database failed while seeding: {str(error).strip()}", retryable=True) from error
    finally:
        connection.close()
    return LoadSummary(
        offers_active=len(catalog.active),
        offers_inactive=len(catalog.inactive),
        offers_retired=retired,
        subscribers=population.size,
        other_subscriptions_kept=kept,
        seconds=time.perf_counter() - started,
    )
