"""Fixtures of the telemetry tests: a database of their own (migrated to head, dropped at the end of the
session), an in-memory span exporter on the process's tracer provider, and per-test pipeline settings
(own topics and consumer group, a free API port)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from confluent_kafka.admin import AdminClient
from opentelemetry import trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from pipeline.harness import Pipeline, create_topics

from subshift.config import DatabaseSettings, Settings
from subshift.db.connect import PgConnection, connect
from tests.integration.scratch_db import scratch_database


@pytest.fixture(scope="session")
def telemetry_database(settings: Settings) -> Iterator[DatabaseSettings]:
    with scratch_database(settings, "subshift_telemetry") as database:
        yield database


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


@pytest.fixture
def traced(settings: Settings, telemetry_database: DatabaseSettings, kafka_admin: AdminClient,
           finished_spans: InMemorySpanExporter) -> Iterator[Pipeline]:
    """Pipeline settings of this test: the telemetry database, its own topics and group, a free API port."""
    tag = uuid.uuid4().hex[:8]
    isolated = settings.model_copy(update={
        "database": telemetry_database,
        "kafka": settings.kafka.model_copy(update={"topic_prefix": f"trace-{tag}."}),
        "api": settings.api.model_copy(update={"addr": "127.0.0.1:0", "metrics_port": 0}),
        "consumer": settings.consumer.model_copy(update={"group_id": f"trace-apply-{tag}", "metrics_port": 0}),
        "relay": settings.relay.model_copy(update={"metrics_port": 0, "register_schema": True}),
    })
    names = create_topics(kafka_admin, isolated)
    yield Pipeline(isolated)
    for future in kafka_admin.delete_topics(names, operation_timeout=15).values():
        future.result(timeout=15)


@pytest.fixture
def pg(telemetry_database: DatabaseSettings) -> Iterator[PgConnection]:
    conn = connect(telemetry_database, application_name="telemetry-tests")
    conn.autocommit = True
    yield conn
    conn.close()
