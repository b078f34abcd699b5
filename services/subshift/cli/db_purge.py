"""`subshift db purge`'s work: which migrations, each purged in a transaction of its own, what is printed.

Imported by the command only, so the rest of the command line starts without the database libraries.
"""

from __future__ import annotations

import signal
import threading
import time
import uuid
from datetime import timedelta

import psycopg2.errors
from rich.console import Console
from rich.markup import escape

from subshift import lifecycle
from subshift.config import DatabaseSettings
from subshift.db.connect import PgConnection, connect
from subshift.errors import NotFoundError, SubshiftError

__all__ = ["purge_every", "run_purge"]


def run_purge(database: DatabaseSettings, *, migration: uuid.UUID | None, days: int, dry_run: bool,
              out: Console) -> bool:
    """Purge ``migration``'s items, or those of every migration finished more than ``days`` ago; False when
    one was refused or stayed locked."""
    connection = connect(database, application_name="subshift-db-purge")
    try:
        if migration is not None:
            return _purge_one(connection, migration, dry_run=dry_run, out=out)
        return _purge_older(connection, database, days, dry_run=dry_run, out=out)
    finally:
        connection.close()


def purge_every(database: DatabaseSettings, *, days: int, seconds: int, out: Console) -> None:
    """Purge by age now and every ``seconds`` after, until SIGTERM or SIGINT; then return (exit 0).

    A round that fails (the database away, a migration's items locked) is reported; the next round
    tries again, so a passing outage never stops the periodic purge.
    """
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    while not stop.is_set():
        try:
            done = run_purge(database, migration=None, days=days, dry_run=False, out=out)
        except (SubshiftError, psycopg2.Error) as error:
            done = False
            out.print(f"[bold red]purge round failed:[/] {escape(str(error).strip())}")
        out.print(f"{'' if done else 'some items stayed; '}next purge in {seconds} s")
        stop.wait(seconds)
    out.print("stopped")


def _purge_one(connection: PgConnection, migration_id: uuid.UUID, *, dry_run: bool, out: Console) -> bool:
    try:
        with connection, connection.cursor() as cursor:
            if dry_run:
                state = lifecycle.lock_migration(cursor, migration_id, share=True)
                if not state.terminal:
                    raise lifecycle.UnfinishedMigrationError(migration_id, state)
                out.print(f"would purge the items of migration {migration_id} ({state.value}); "
                          "dry run, nothing changed")
                return True
            started = time.monotonic()
            purged_at = lifecycle.purge_items(cursor, migration_id)
    except (NotFoundError, lifecycle.UnfinishedMigrationError) as error:
        out.print(f"[bold red]refused:[/] {escape(str(error))}")
        return False
    except psycopg2.errors.LockNotAvailable:
        out.print(f"[bold red]not purged:[/] migration {migration_id}: migration_items stayed locked for "
                  f"{lifecycle.PURGE_LOCK_TIMEOUT} (a long read or export); run the purge again")
        return False
    out.print(f"purged the items of migration {migration_id} (on {purged_at:%Y-%m-%d %H:%M:%S %Z}) "
              f"in {time.monotonic() - started:.2f} s; the migration and its counts remain")
    return True


def _purge_older(connection: PgConnection, database: DatabaseSettings, days: int, *, dry_run: bool,
                 out: Console) -> bool:
    with connection, connection.cursor() as cursor:
        found = lifecycle.purgeable(cursor, older_than=timedelta(days=days))
    verb = "would purge" if dry_run else "purging"
    out.print(f"{len(found)} finished migration(s) of {database.redacted()} finished more than {days} day(s) ago "
              f"still keep their items; {verb} them")
    ok = True
    for candidate in found:
        items = candidate.staged + candidate.rows_rejected
        if dry_run:
            out.print(f"  would purge {candidate.id} ({candidate.state.value}, finished "
                      f"{candidate.finished_at:%Y-%m-%d}, {items:,} items)")
            continue
        out.print(f"  {candidate.id} ({candidate.state.value}, finished {candidate.finished_at:%Y-%m-%d}, "
                  f"{items:,} items):", end=" ")
        ok = _purge_one(connection, candidate.id, dry_run=False, out=out) and ok
    if dry_run:
        out.print("dry run: nothing changed")
    return ok

