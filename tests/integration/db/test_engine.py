"""The API's pooled engine on the real PostgreSQL: its sessions say whose they are."""

from __future__ import annotations

from sqlalchemy import text

from subshift.db.engine import make_engine
from tests.integration.scratch_db import postgres_settings


def test_the_apis_sessions_are_named_in_pg_stat_activity() -> None:
    # An operator finding a busy or blocking session must be able to tell the API's from the relay's
    # and the consumers' (each of which names its own).
    engine = make_engine(postgres_settings().database)
    try:
        with engine.connect() as connection:
            name = connection.execute(text(
                "SELECT application_name FROM pg_stat_activity WHERE pid = pg_backend_pid()")).scalar_one()
    finally:
        engine.dispose()
    assert name == "subshift-api"
