"""Run Alembic migrations programmatically (``subshift db upgrade``; the downgrade for tests and operators)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy.exc import OperationalError

from subshift.config import DatabaseSettings
from subshift.errors import InfrastructureError

__all__ = ["downgrade", "upgrade"]

_SCRIPTS = Path(__file__).parent / "migrations"


def _config(settings: DatabaseSettings) -> Config:
    config = Config()
    config.set_main_option("script_location", str(_SCRIPTS))
    # Alembic's ini interpolation treats % specially; escape it in passwords.
    config.set_main_option("sqlalchemy.url", settings.sqlalchemy_url().replace("%", "%%"))
    return config


def upgrade(settings: DatabaseSettings, revision: str = "head") -> None:
    """Bring the database schema to ``revision``.

    Raises:
        InfrastructureError: the database cannot be reached.
    """
    _run(command.upgrade, settings, revision)


def downgrade(settings: DatabaseSettings, revision: str) -> None:
    """Take the database schema back to ``revision`` (what a revision's downgrade keeps is its docstring's).

    Raises:
        InfrastructureError: the database cannot be reached.
    """
    _run(command.downgrade, settings, revision)


def _run(step: Callable[[Config, str], None], settings: DatabaseSettings, revision: str) -> None:
    try:
        step(_config(settings), revision)
    except OperationalError as error:
        raise InfrastructureError(
            f"cannot reach the database at {settings.redacted()}: {error.orig}", retryable=True
        ) from error
