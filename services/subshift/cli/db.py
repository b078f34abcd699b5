"""`subshift db`: the database schema."""

from __future__ import annotations

import typer
from rich.console import Console

from subshift.config import load_settings

__all__ = ["app"]

app = typer.Typer(help="Subshift's database schema.", no_args_is_help=True)


@app.command()
def upgrade(revision: str = typer.Argument("head", help="Alembic revision to reach.")) -> None:
    """Bring the database schema up to date (idempotent).

    Example: subshift db upgrade
    """
    from subshift.db.upgrade import upgrade as run_upgrade  # Alembic: imported for this command only

    settings = load_settings()
    run_upgrade(settings.database, revision)
    Console().print(f"database {settings.database.redacted()} is at revision {revision}")
