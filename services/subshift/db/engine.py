"""Engines are made from settings by the command that runs, never at import time."""

from __future__ import annotations

from sqlalchemy import Engine, create_engine

from subshift.config import DatabaseSettings

__all__ = ["make_engine"]


def make_engine(settings: DatabaseSettings) -> Engine:
    """A pooled engine for Subshift's database (pre-ping, so a restarted server is noticed)."""
    return create_engine(
        settings.sqlalchemy_url(),
        pool_size=settings.pool_size,
        pool_pre_ping=True,
        future=True,
    )
