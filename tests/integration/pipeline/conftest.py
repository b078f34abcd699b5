from __future__ import annotations

from collections.abc import Iterator

import pytest

from subshift.config import Settings
from subshift.db.connect import PgConnection, connect


@pytest.fixture
def pg(settings: Settings) -> Iterator[PgConnection]:
    """A pipeline-style psycopg2 connection (not autocommit), closed afterwards."""
    conn = connect(settings.database, application_name="pipeline-tests")
    yield conn
    conn.close()
