"""`subshift db`: the database schema, and purging finished migrations' items."""

from __future__ import annotations

import uuid
from typing import Annotated

import typer
from rich.console import Console

from subshift.config import load_settings
from subshift.console.usage import usage_error

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
    every: Annotated[int | None, typer.Option(
        "--every", min=60, metavar="SECONDS", help="Purge by age again every SECONDS until stopped (SIGTERM): "
                                                   "a periodic purge as a long-running process. A round that "
                                                   "fails is reported and the next one tries again.")] = None,
) -> None:
    """Drop finished migrations' items (their partitions); each migration and its counts stay.

    Export what you need first: subshift migrate results ID -o results.csv. A running migration is
    refused. Exit 1 when a migration was refused or its items stayed locked (run again later).

    Example: subshift db purge --older-than 90 --dry-run
    """
    from subshift.cli.db_purge import purge_every, run_purge  # the database libraries: for this command only

    if migration is not None and older_than is not None:
        usage_error("give --migration or --older-than, not both")
    if every is not None and (migration is not None or dry_run):
        usage_error("--every repeats the purge by age: give it without --migration and --dry-run")
    chosen = _migration_id(migration) if migration is not None else None
    settings = load_settings()
    days = older_than if older_than is not None else settings.retention.items_days
    out = Console(soft_wrap=True, highlight=False)
    if every is not None:
        purge_every(settings.database, days=days, seconds=every, out=out)
    elif not run_purge(settings.database, migration=chosen, days=days, dry_run=dry_run, out=out):
        raise typer.Exit(1)


def _migration_id(value: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError:
        usage_error(f"--migration {value!r} is not a migration id (a UUID)")
