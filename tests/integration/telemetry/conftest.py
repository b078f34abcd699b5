"""Fixtures of the telemetry tests: a database of their own (migrated to head, dropped at the end of the
session) and an in-memory span exporter on the process's tracer provider."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import psycopg2
import pytest
from opentelemetry import trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from pydantic import SecretStr
from sqlalchemy.engine import make_url

from subshift.config import DatabaseSettings, Settings
from subshift.db.upgrade import upgrade


@pytest.fixture(scope="session")
def telemetry_database(settings: Settings) -> Iterator[DatabaseSettings]:
    name = f"subshift_telemetry_{uuid.uuid4().hex[:8]}"
    admin = psycopg2.connect(settings.database.libpq_dsn())
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute(f'CREATE DATABASE "{name}"')
    url = make_url(settings.database.sqlalchemy_url()).set(database=name).render_as_string(hide_password=False)
    database = DatabaseSettings(url=SecretStr(url))
    upgrade(database)
    yield database
    with admin.cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.close()


@pytest.fixture(scope="session")
def finished_spans() -> InMemorySpanExporter:
    """Every span this test process records from now on (tracing on, in memory, nothing exported).

    The services configure tracing from settings (off here), so their module tracers follow the
    global provider: install one unless another fixture already did, and listen to it.
    """
    if not isinstance(trace.get_tracer_provider(), TracerProvider):
        trace.set_tracer_provider(TracerProvider(resource=Resource.create({"service.name": "subshift-tests"})))
    provider = trace.get_tracer_provider()
    assert isinstance(provider, TracerProvider)
    exporter = InMemorySpanExporter()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    return exporter
