"""Seeding loads exactly the population it computed, repeats safely and leaves other data alone."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import psycopg2
import pytest

from subshift.config import DatabaseSettings
from subshift.errors import ConflictError
from subshift.lifecycle.storage import attach_items_table, create_items_table
from subshift_tooling.seeding import build_catalog, build_population, load_demo_data

pytestmark = pytest.mark.integration


@pytest.fixture
def db(scratch_database: DatabaseSettings) -> Iterator[Any]:
    connection = psycopg2.connect(scratch_database.libpq_dsn())
    connection.autocommit = True
    yield connection
    connection.close()


def _scalar(db: Any, sql: str, *args: object) -> Any:
    with db.cursor() as cursor:
        cursor.execute(sql, args)
        return cursor.fetchone()[0]


def _subscribers_per_offer(db: Any) -> dict[str, int]:
    with db.cursor() as cursor:
        cursor.execute("SELECT offer_code, count(*) FROM subscriptions WHERE user_id LIKE 'u%%' GROUP BY 1")
        return {code: int(count) for code, count in cursor.fetchall()}


def test_seeding_loads_every_subscriber_on_the_offer_it_computed(scratch_database: DatabaseSettings, db: Any) -> None:
    catalog = build_catalog(10)
    population = build_population(catalog, subscribers=20_000, seed=11)
    summary = load_demo_data(scratch_database, catalog, population)
    assert summary.subscribers == 20_000
    assert _subscribers_per_offer(db) == population.counts()
    assert _scalar(db, "SELECT offer_code FROM subscriptions WHERE user_id = 'u0012345'") == population.offer_of(12345)
    with db.cursor() as cursor:
        cursor.execute("SELECT code, active FROM offers WHERE code LIKE 'OFFER-%%' ORDER BY code")
        assert cursor.fetchall() == [(offer.code, offer.active) for offer in catalog.offers]


def test_reseeding_replaces_demo_users_keeps_other_rows_and_retires_dropped_offers(
    scratch_database: DatabaseSettings, db: Any
) -> None:
    load_demo_data(scratch_database, build_catalog(12), build_population(build_catalog(12), subscribers=5000, seed=1))
    with db.cursor() as cursor:
        cursor.execute("INSERT INTO offers (code, name) VALUES ('team-offer', 'Team') ON CONFLICT DO NOTHING")
        cursor.execute(
            "INSERT INTO subscriptions (user_id, offer_code, version) VALUES ('team-user', 'team-offer', 7) "
            "ON CONFLICT (user_id) DO UPDATE SET version = 7"
        )
        # An index and a foreign key of the operator's own: the reload must put them back.
        cursor.execute("CREATE INDEX team_subscriptions_offer ON subscriptions (offer_code)")
        cursor.execute("ALTER TABLE subscriptions ADD CONSTRAINT team_subscriptions_offer_fk "
                       "FOREIGN KEY (offer_code) REFERENCES offers (code)")
    smaller = build_catalog(6)
    population = build_population(smaller, subscribers=3000, seed=2)
    summary = load_demo_data(scratch_database, smaller, population)
    assert summary.other_subscriptions_kept == 1
    assert summary.offers_retired == 4  # OFFER-007…010 were active and left the catalog
    assert _subscribers_per_offer(db) == population.counts()
    assert _scalar(db, "SELECT count(*) FROM subscriptions WHERE user_id LIKE 'u%%'") == 3000
    assert _scalar(db, "SELECT version FROM subscriptions WHERE user_id = 'team-user'") == 7
    assert _scalar(db, "SELECT active FROM offers WHERE code = 'OFFER-012'") is False
    assert _scalar(db, "SELECT active FROM offers WHERE code = 'team-offer'") is True
    indexes = _scalar(db, "SELECT count(*) FROM pg_indexes WHERE tablename = 'subscriptions'")
    foreign_keys = _scalar(
        db, "SELECT count(*) FROM pg_constraint WHERE conrelid = 'subscriptions'::regclass AND contype = 'f'"
    )
    assert (indexes, foreign_keys) == (2, 1)  # the primary key's index, and the operator's index and key


def test_reseeding_waits_for_migrations_with_pending_demo_users_unless_forced(
    scratch_database: DatabaseSettings, db: Any
) -> None:
    catalog = build_catalog(4)
    population = build_population(catalog, subscribers=100, seed=3)
    load_demo_data(scratch_database, catalog, population)
    migration_id = uuid.uuid4()
    with db.cursor() as cursor:
        cursor.execute(
            "INSERT INTO migrations (id, content_sha256, state, created_by, staged) "
            "VALUES (%s, 'x', 'applying', 'test', 1)",
            (str(migration_id),),
        )
        create_items_table(cursor, migration_id)
        attach_items_table(cursor, migration_id)
        cursor.execute(
            "INSERT INTO migration_items (migration_id, row_number, user_id, current_offer, target_offer) "
            "VALUES (%s, 2, 'u0000001', 'OFFER-001', 'OFFER-002')",
            (str(migration_id),),
        )
    with pytest.raises(ConflictError, match=str(migration_id)):
        load_demo_data(scratch_database, catalog, population)
    load_demo_data(scratch_database, catalog, population, force=True)
    assert _scalar(db, "SELECT count(*) FROM migration_items WHERE migration_id = %s", str(migration_id)) == 1
    with db.cursor() as cursor:
        cursor.execute("UPDATE migrations SET state = 'cancelled' WHERE id = %s", (str(migration_id),))
    load_demo_data(scratch_database, catalog, population)
