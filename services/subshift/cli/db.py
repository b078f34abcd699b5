"""`subshift db`: the database schema, and purging finished migrations' items."""

from __future__ import annotations

import time
import uuid
from datetime import timedelta
from typing import Annotated

import psycopg2.errors
import typer
from rich.console import Console
from rich.markup import escape

from subshift import lifecycle
from subshift.config import DatabaseSettings, load_settings
from subshift.console.usage import usage_error
from subshift.db.connect import PgConnection, connect
from subshift.errors import NotFoundError

__all__ = ["app"]

app = typer.Typer(help="Subshift's database: its schema, and purging finished migrations' items.", no_args_is_help=True)


@app.command()
def upgrade(revision: str = typer.Argument("head", help="Alembic revision to reach.")) -> None:
    """Bring the database schema up to date (idempotent).

    Example: subshift db upgrade
    """
    from subshift.db.upgrade import upgrade as run_upgrade  # Alembic: imported for this command only

    settings = load_settings()
    run_upgrade(settings.database, revision)
    Console().print(f"database {settings.database.redacted()} is at revision {revision}")


@app.command()
def purge(
    migration: Annotated[str | None, typer.Option("--migration", help="Purge this finished migration's items.")] = None,
    older_than: Annotated[int | None, typer.Option(
        "--older-than", min=1, help="Purge the items of every migration finished more than DAYS days ago "
                                    "(default: SUBSHIFT_RETENTION_ITEMS_DAYS).", metavar="DAYS")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Print what would be purged; change nothing.")] = False,
) -> None:
    """Drop finished migrations' items (their partitions); each migration and its counts stay.

    Export what you need first: subshift migrate results ID -o results.csv. A running migration is
    refused. Exit 1 when a migration was refused or its items stayed locked (run again later).

    Example: subshift db purge --older-than 90 --dry-run
    """
    if migration is not None and older_than is not None:
        usage_error("give --migration or --older-than, not both")
    settings = load_settings()
    out = Console(soft_wrap=True, highlight=False)
    connection = connect(settings.database, application_name="subshift-db-purge")
    try:
        if migration is not None:
            ok = _purge_one(connection, _migration_id(migration), dry_run=dry_run, out=out)
        else:
            days = older_than if older_than is not None else settings.retention.items_days
            ok = _purge_older(connection, settings.database, days, dry_run=dry_run, out=out)
    finally:
        connection.close()
    if not ok:
        raise typer.Exit(1)


def _migration_id(value: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError:
        usage_error(f"--migration {value!r} is not a migration id (a UUID)")


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

