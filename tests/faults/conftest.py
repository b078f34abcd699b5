"""Fixtures of the faults tier: a private stack, a fresh world per scenario, and the summary table.

Every scenario runs on the tier's own stack (``faultkit.stack``), because scenarios stop and kill
its servers; a world per test gives it a database copied from a migrated template, prefixed topics,
a consumer group and an API port. Scenarios call ``record(scenario, guarantee, observed)``; at the
end the session prints the table and writes it to ``.subshift/faults/summary.txt`` (``faultkit.summary``).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg2
import pytest
from confluent_kafka.admin import AdminClient
from faultkit.report import ROW, Record
from faultkit.stack import PrivateStack, private_settings
from faultkit.world import World, create_world, database_url

from subshift.config import Settings, load_settings
from subshift.db.upgrade import upgrade
from subshift.errors import SubshiftError

TEMPLATE = "subshift_faults_template"
_LOG_LINES = 80



def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "faults: the faults tier (its own private stack; see tests/faults/conftest.py)")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = str(Path(__file__).parent)
    for item in items:
        if str(item.path).startswith(here):
            item.add_marker(pytest.mark.faults)
            item.add_marker(pytest.mark.integration)  # real servers (its own), so `-m "not integration"` skips it


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    outcome: Any = yield
    report = outcome.get_result()
    if report.failed and report.when == "call":
        _attach_service_logs(item, report)


def _attach_service_logs(item: pytest.Item, report: pytest.TestReport) -> None:
    """A failed scenario shows the end of each service's log: the world's folder is gone after the run."""
    world = getattr(item, "funcargs", {}).get("world")
    for service in getattr(world, "services", []):
        with contextlib.suppress(OSError):
            lines = service.log.read_text(errors="replace").splitlines()[-_LOG_LINES:]
            report.sections.append((f"{service.log.name} (last {len(lines)} lines)", "\n".join(lines)))


@pytest.fixture
def record(request: pytest.FixtureRequest) -> Record:
    """``record(scenario, guarantee, observed)``: one row of the summary table for this test."""
    def add(scenario: str, guarantee: str, observed: str) -> None:
        request.node.user_properties.append((ROW, (scenario, guarantee, observed)))
    return add


@pytest.fixture(scope="session")
def faults_stack() -> Iterator[PrivateStack]:
    """The tier's private stack, started (or found running); fails the session if it cannot start."""
    stack = PrivateStack(private_settings(load_settings()))
    try:
        stack.up()
    except SubshiftError as error:
        pytest.fail(f"the faults tier's private stack did not start: {error}", pytrace=False)
    yield stack
    if os.environ.get("SUBSHIFT_FAULTS_KEEP_STACK") != "1":
        stack.down()


@pytest.fixture(scope="session")
def faults_settings(faults_stack: PrivateStack) -> Settings:
    return faults_stack.settings


@pytest.fixture(scope="session")
def faults_admin(faults_settings: Settings) -> AdminClient:
    return AdminClient({**faults_settings.kafka.as_librdkafka()})


@pytest.fixture(scope="session")
def template_database(faults_settings: Settings) -> str:
    """A database migrated to head once per session; each world is a copy of it."""
    admin = psycopg2.connect(faults_settings.database.libpq_dsn())
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{TEMPLATE}" WITH (FORCE)')
        cur.execute(f'CREATE DATABASE "{TEMPLATE}"')
    admin.close()
    upgrade(database_url(faults_settings, TEMPLATE))
    return TEMPLATE


@pytest.fixture
def world(faults_stack: PrivateStack, faults_settings: Settings, template_database: str, faults_admin: AdminClient,
          tmp_path: Path) -> Iterator[World]:
    # A scenario that failed half-way (or anything else on the machine) may leave a server stopped:
    # every scenario starts from a healthy stack (quick when it already is).
    faults_stack.up()
    with create_world(faults_settings, template_database, tmp_path, faults_admin) as made:
        yield made
