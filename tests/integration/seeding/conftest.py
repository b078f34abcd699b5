"""A scratch database per test module: seeding truncates ``subscriptions``, which must not
disturb other tests sharing the stack's database."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from subshift.config import DatabaseSettings, Settings
from tests.integration import scratch_db


@pytest.fixture(scope="module")
def scratch_database(settings: Settings) -> Iterator[DatabaseSettings]:
    """A new, upgraded database on the stack's server, dropped afterwards."""
    with scratch_db.scratch_database(settings, "subshift_seed") as database:
        yield database
