from __future__ import annotations

from collections.abc import Iterator

import pytest

from subshift.config import Settings, load_settings
from subshift.db.connect import PgConnection, connect


@pytest.fixture(scope="session")
def settings() -> Settings:
    return load_settings()


@pytest.fixture
def pg(settings: Settings) -> Iterator[PgConnection]:
    conn = connect(settings.database, application_name="pipeline-tests")
    yield conn
    conn.close()
