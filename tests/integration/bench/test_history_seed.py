"""A seeded history is what the pipeline would have left: finished migrations whose counters match their items."""

from __future__ import annotations

import psycopg2

from subshift.config import Settings
from subshift_tooling.bench.history_seed import seed_history
from tests.integration.scratch_db import scratch_database

OFFERS = ("OFFER-001", "OFFER-002", "OFFER-003", "OFFER-004")


def test_history_is_finished_migrations_with_counters_matching_their_items(settings: Settings) -> None:
    with scratch_database(settings, "subshift_history") as database:
        seed = seed_history(database, rows=10_003, migrations=4, offers=OFFERS, users=3_000, conflict_every=1000)
        conn = psycopg2.connect(database.libpq_dsn())
        try:
            with conn.cursor() as cur:
                cur.execute("SELECT state, staged, published, applied, conflicts, completed_at IS NOT NULL, "
                            "(SELECT count(*) FROM migration_items i WHERE i.migration_id = m.id), "
                            "(SELECT count(*) FROM migration_items i WHERE i.migration_id = m.id "
                            "AND i.outcome = 'conflict') FROM migrations m ORDER BY created_at")
                migrations = cur.fetchall()
                cur.execute("SELECT min(created_at) < now() - interval '300 days' FROM migrations")
                (spread,) = cur.fetchone()
                cur.execute("SELECT count(DISTINCT user_id), min(user_id), bool_and(outcome_at IS NOT NULL "
                            "AND published_at IS NOT NULL AND current_offer <> target_offer) FROM migration_items")
                users, first_user, complete = cur.fetchone()
        finally:
            conn.close()
    assert (seed.migrations, seed.rows, seed.conflicts) == (4, 10_003, 8)
    assert [m[1] for m in migrations] == [2501, 2501, 2501, 2500]
    for state, staged, published, applied, conflicts, completed, items, conflict_items in migrations:
        assert state == "succeeded_with_errors"  # a conflict is an error outcome
        assert published == staged == items == applied + conflicts
        assert conflicts == conflict_items == 2
        assert completed
    assert spread  # a year of history, not all of it today
    assert users == 3_000 and first_user == "u0000001"
    assert complete
