"""Fixtures of the security tier: the migration API's own integration fixtures, reused.

The real gRPC server runs in this process on a free port over the ingest tests' database (seeded
offers ``basic``, ``premium``, ``gold`` active and ``retired`` inactive; users ``user0000``…
``user0039``), with ``ingest.max_rows`` 1000. Tests here need PostgreSQL from the local stack and
carry the ``integration`` marker; the code and log scans need nothing.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.integration.api.conftest import api, api_settings, channel, db, engine, ingest_database, stub, token
from tests.integration.conftest import settings

__all__ = ["api", "api_settings", "channel", "db", "engine", "ingest_database", "settings", "stub", "token"]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = str(Path(__file__).parent)
    for item in items:
        # Only tests that reach the stack (through ``settings``) are integration tests; the scans are not.
        if str(item.path).startswith(here) and "settings" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.integration)
