"""Purging a finished migration's items drops its partition: fast, no dead tuples elsewhere, counts kept."""

from __future__ import annotations

import time
import uuid
from typing import Any

import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

from storage.items import seed_migration
from subshift.api.errors import ItemsPurged
from subshift.api.queries import get_migration, list_items
from subshift.cli.main import app
from subshift.config import DatabaseSettings
from subshift.db.connect import PgConnection
from subshift.db.engine import make_engine
from subshift.db.models import ItemOutcome, MigrationState
from subshift.lifecycle import UnfinishedMigrationError, purge_items
from subshift.lifecycle.storage import items_table

_MILLION = 1_000_000


@pytest.fixture
def engine(storage_database: DatabaseSettings) -> Any:
    made = make_engine(storage_database)
    yield made
    made.dispose()


def _exists(conn: PgConnection, migration_id: uuid.UUID) -> bool:
    with conn.cursor() as cur:
        cur.execute("SELECT to_regclass(%s) IS NOT NULL", (items_table(migration_id),))
        (found,) = cur.fetchone()
    conn.rollback()
    return bool(found)


def _dead_tuples(conn: PgConnection, migration_id: uuid.UUID) -> int:
    with conn.cursor() as cur:
        cur.execute("SELECT pg_stat_force_next_flush()")
        cur.execute("SELECT n_dead_tup FROM pg_stat_user_tables WHERE relname = %s", (items_table(migration_id),))
        (dead,) = cur.fetchone()
    conn.rollback()
    return int(dead)


def test_a_million_item_migration_is_purged_by_dropping_its_partition(pg: PgConnection, engine: Engine) -> None:
    kept = seed_migration(pg, 1000, outcomes={5: ItemOutcome.CONFLICT})
    purged = seed_migration(pg, _MILLION, outcomes={7: ItemOutcome.CONFLICT, 9: ItemOutcome.NOT_FOUND})
    dead_before = _dead_tuples(pg, kept)

    started = time.monotonic()
    with pg.cursor() as cur:
        purge_items(cur, purged)
    pg.commit()
    print(f"purged {_MILLION:,} items in {time.monotonic() - started:.3f} s")

    assert not _exists(pg, purged)
    assert _exists(pg, kept)
    assert _dead_tuples(pg, kept) == dead_before == 0
    migration = get_migration(engine, purged)
    assert migration.items_purged_at is not None
    assert (migration.staged, migration.applied, migration.conflicts, migration.not_found) == (
        _MILLION, _MILLION - 2, 1, 1)
    assert [item.row_number for item in list_items(engine, kept, size=10, token="",
                                                    outcome=ItemOutcome.CONFLICT).items] == [5]


def test_items_of_a_purged_migration_are_refused_with_the_date_and_the_counts_remain(
        pg: PgConnection, engine: Engine) -> None:
    migration_id = seed_migration(pg, 10)
    with pg.cursor() as cur:
        purged_at = purge_items(cur, migration_id)
    pg.commit()
    with pytest.raises(ItemsPurged, match=f"purged on {purged_at:%Y-%m-%d}.*counts remain"):
        list_items(engine, migration_id, size=10, token="", outcome=None)
    assert get_migration(engine, migration_id).applied == 10
    with pg.cursor() as cur:  # a second purge changes nothing
        assert purge_items(cur, migration_id) == purged_at
    pg.rollback()


@pytest.mark.parametrize("state", [MigrationState.PENDING, MigrationState.PUBLISHING, MigrationState.APPLYING])
def test_a_running_migration_is_refused_naming_its_state(pg: PgConnection, state: MigrationState) -> None:
    migration_id = seed_migration(pg, 10, state=state)
    with pg.cursor() as cur, pytest.raises(UnfinishedMigrationError, match=f"is {state.value}; only a finished"):
        purge_items(cur, migration_id)
    pg.rollback()
    assert _exists(pg, migration_id)


def _purge_cli(database: DatabaseSettings, *args: str) -> Any:
    env = {"SUBSHIFT_DATABASE_URL": database.url.get_secret_value()}
    return CliRunner().invoke(app, ["db", "purge", *args], env=env)


def test_the_purge_commands_dry_run_names_old_finished_migrations_and_changes_nothing(
        pg: PgConnection, storage_database: DatabaseSettings) -> None:
    old = seed_migration(pg, 10, finished_days_ago=40)
    recent = seed_migration(pg, 10, finished_days_ago=1)
    running = seed_migration(pg, 10, state=MigrationState.APPLYING)
    result = _purge_cli(storage_database, "--older-than", "30", "--dry-run")
    assert result.exit_code == 0, result.output
    assert f"would purge {old} (succeeded_with_errors" in result.output
    assert str(recent) not in result.output and str(running) not in result.output
    assert "dry run: nothing changed" in result.output
    assert _exists(pg, old)


def test_the_purge_command_purges_old_finished_migrations(pg: PgConnection,
                                                          storage_database: DatabaseSettings) -> None:
    old = seed_migration(pg, 10, finished_days_ago=400)
    result = _purge_cli(storage_database, "--older-than", "365")
    assert result.exit_code == 0, result.output
    assert f"purged the items of migration {old}" in result.output
    assert not _exists(pg, old)


def test_the_purge_command_refuses_a_running_migration(pg: PgConnection,
                                                       storage_database: DatabaseSettings) -> None:
    running = seed_migration(pg, 10, state=MigrationState.APPLYING)
    result = _purge_cli(storage_database, "--migration", str(running))
    assert result.exit_code == 1
    assert f"refused: migration {running} is applying" in result.output
    assert _exists(pg, running)
