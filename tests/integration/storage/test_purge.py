"""Purging a finished migration's items drops its partition: fast, no dead tuples elsewhere, counts kept."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from typing import Any

import pytest
from sqlalchemy import Engine

from storage.items import seed_migration
from subshift.api.errors import ItemsPurged
from subshift.api.queries import get_migration, list_items
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


def _purge_command(database: DatabaseSettings, *args: str) -> tuple[list[str], dict[str, str]]:
    """`subshift db purge ARGS` and its environment: a process of its own, as the CronJob runs it."""
    env = {**os.environ, "SUBSHIFT_DATABASE_URL": database.url.get_secret_value(), "PYTHONUNBUFFERED": "1"}
    return [sys.executable, "-m", "subshift", "db", "purge", *args], env


def _purge_cli(database: DatabaseSettings, *args: str) -> tuple[int, str]:
    """Exit code and output of `subshift db purge ARGS`."""
    command, env = _purge_command(database, *args)
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120, check=False)
    return done.returncode, done.stdout + done.stderr


def test_the_purge_commands_dry_run_names_old_finished_migrations_and_changes_nothing(
        pg: PgConnection, storage_database: DatabaseSettings) -> None:
    old = seed_migration(pg, 10, finished_days_ago=40)
    recent = seed_migration(pg, 10, finished_days_ago=1)
    running = seed_migration(pg, 10, state=MigrationState.APPLYING)
    code, output = _purge_cli(storage_database, "--older-than", "30", "--dry-run")
    assert code == 0, output
    assert f"would purge {old} (succeeded_with_errors" in output
    assert str(recent) not in output and str(running) not in output
    assert "dry run: nothing changed" in output
    assert _exists(pg, old)


def test_the_purge_command_purges_old_finished_migrations(pg: PgConnection,
                                                          storage_database: DatabaseSettings) -> None:
    old = seed_migration(pg, 10, finished_days_ago=400)
    code, output = _purge_cli(storage_database, "--older-than", "365")
    assert code == 0, output
    assert f"purged the items of migration {old}" in output
    assert not _exists(pg, old)


def test_the_purge_command_purges_one_finished_migration_by_id_whatever_its_age(
        pg: PgConnection, storage_database: DatabaseSettings) -> None:
    recent = seed_migration(pg, 10, finished_days_ago=1)
    code, output = _purge_cli(storage_database, "--migration", str(recent))
    assert code == 0, output
    assert f"purged the items of migration {recent}" in output
    assert not _exists(pg, recent)


def test_the_purge_command_refuses_a_running_migration(pg: PgConnection,
                                                       storage_database: DatabaseSettings) -> None:
    running = seed_migration(pg, 10, state=MigrationState.APPLYING)
    code, output = _purge_cli(storage_database, "--migration", str(running))
    assert code == 1
    assert f"refused: migration {running} is applying" in output
    assert _exists(pg, running)


def test_the_periodic_purge_purges_at_once_and_stops_cleanly_on_sigterm(
        pg: PgConnection, storage_database: DatabaseSettings) -> None:
    old = seed_migration(pg, 10, finished_days_ago=400)
    command, env = _purge_command(storage_database, "--older-than", "365", "--every", "3600")
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines: list[str] = []
    try:
        assert process.stdout is not None
        for line in process.stdout:  # the first round runs at once; the next would be an hour later
            lines.append(line)
            if "next purge in 3600 s" in line:
                break
        assert f"purged the items of migration {old}" in "".join(lines), "".join(lines)
        assert not _exists(pg, old)
        process.send_signal(signal.SIGTERM)
        rest, _ = process.communicate(timeout=30)
    finally:
        process.kill()
    assert process.returncode == 0, "".join(lines) + rest
    assert rest.strip().endswith("stopped")


def test_the_periodic_purge_takes_no_single_migration_or_dry_run(storage_database: DatabaseSettings) -> None:
    code, output = _purge_cli(storage_database, "--every", "3600", "--dry-run")
    assert code == 2
    assert "--every repeats the purge by age" in output
