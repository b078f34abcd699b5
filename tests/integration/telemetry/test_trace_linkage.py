"""One trace links upload, publish and apply, across the real API, PostgreSQL, Kafka and consumer.

A CSV goes up through the real gRPC API (CreateMigration opens the trace and stores its
traceparent with the migration and each item); the real relay publishes under it and puts the
``traceparent`` header on each Kafka record; the real consumer applies under that header.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import grpc
import pytest
from confluent_kafka import Message
from confluent_kafka.admin import AdminClient
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind
from pipeline.harness import Pipeline, create_topics, wait_until

from subshift.apply.metrics import ConsumerMetrics
from subshift.config import DatabaseSettings, Settings
from subshift.db.connect import PgConnection, connect
from subshift.db.engine import make_engine
from subshift.ingest.auth import Role
from subshift.ingest.server import create_server
from subshift.ingest.tokens import mint_dev_token
from subshift.observability.tracing import traceparent_from_headers
from subshift_client import migration_v1 as pb

ROWS = 24


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


def _seed(pg: PgConnection, users: list[str]) -> None:
    with pg.cursor() as cur:
        cur.execute("INSERT INTO offers (code, name) VALUES ('basic', 'Basic'), ('gold', 'Gold') "
                    "ON CONFLICT DO NOTHING")
        cur.executemany("INSERT INTO subscriptions (user_id, offer_code) VALUES (%s, 'basic')",
                        [(user,) for user in users])


def _upload(pipeline: Pipeline, users: list[str]) -> str:
    """CreateMigration through the real gRPC server; returns the migration id."""
    csv = "user_id,current_offer,target_offer\n" + "".join(f"{user},basic,gold\n" for user in users)
    engine = make_engine(pipeline.settings.database)
    server = create_server(pipeline.settings, engine)
    token = mint_dev_token(pipeline.settings.auth, role=Role.OPERATOR, subject="tracer", ttl_seconds=300)
    try:
        with grpc.insecure_channel(f"127.0.0.1:{server.port}") as channel:
            requests = iter([pb.CreateMigrationRequest(header=pb.MigrationHeader(description="traced")),
                             pb.CreateMigrationRequest(csv_chunk=csv.encode())])
            response = pb.MigrationServiceStub(channel).CreateMigration(
                requests, metadata=[("authorization", f"Bearer {token}")], timeout=60)
    finally:
        server.stop(1).wait(10)
        engine.dispose()
    migration_id: str = response.migration.migration_id
    return migration_id


def _state(pg: PgConnection, migration_id: str) -> str:
    with pg.cursor() as cur:
        cur.execute("SELECT state FROM migrations WHERE id = %s", (migration_id,))
        (state,) = cur.fetchone()
    return str(state)


def _ids(span: ReadableSpan) -> tuple[str, str]:
    assert span.context is not None
    return f"{span.context.trace_id:032x}", f"{span.context.span_id:016x}"


def test_one_trace_links_upload_publish_and_apply(traced: Pipeline, pg: PgConnection,
                                                  finished_spans: InMemorySpanExporter) -> None:
    users = [f"traced-{uuid.uuid4().hex[:8]}-{k}" for k in range(ROWS)]
    _seed(pg, users)

    migration_id = _upload(traced, users)
    with traced.relay(), traced.consumer():
        wait_until(lambda: _state(pg, migration_id) == "succeeded", timeout=120, what="the migration succeeded")
    records: list[Message] = traced.read_all(traced.topic, expected=ROWS)  # type: ignore[assignment]

    spans = finished_spans.get_finished_spans()
    (upload,) = [s for s in spans if s.name == "CreateMigration"
                 and (s.attributes or {}).get("subshift.migration_id") == migration_id]
    trace_id, upload_span = _ids(upload)
    in_trace = [s for s in spans if _ids(s)[0] == trace_id]
    publishes = [s for s in in_trace if s.name == "publish"]
    applies = [s for s in in_trace if s.name == "apply"]

    # 1. The upload's traceparent is stored with the migration and every item.
    with pg.cursor() as cur:
        cur.execute("SELECT trace_parent FROM migrations WHERE id = %s", (migration_id,))
        (stored,) = cur.fetchone()
        cur.execute("SELECT DISTINCT trace_parent FROM migration_items WHERE migration_id = %s", (migration_id,))
        item_parents = {row[0] for row in cur.fetchall()}
    assert stored.split("-")[1:3] == [trace_id, upload_span]
    assert item_parents == {stored}
    # 2. The relay published under the upload: each publish span is the upload's child.
    assert publishes and upload.kind is SpanKind.SERVER
    assert all(s.kind is SpanKind.PRODUCER and s.parent is not None
               and f"{s.parent.span_id:016x}" == upload_span for s in publishes)
    publish_spans = {_ids(s)[1] for s in publishes}
    # 3. Every record on Kafka carries the traceparent of a publish span of this trace.
    assert len(records) == ROWS
    headers = [traceparent_from_headers(record.headers()) for record in records]
    assert all(h is not None and h.split("-")[1] == trace_id and h.split("-")[2] in publish_spans for h in headers)
    # 4. The consumer applied under those headers: each apply span is a publish span's child.
    assert applies
    assert all(s.kind is SpanKind.CONSUMER and s.parent is not None
               and f"{s.parent.span_id:016x}" in publish_spans for s in applies)


def _lag_partitions(metrics: ConsumerMetrics) -> set[str]:
    return {
        sample.labels["partition"]
        for family in metrics.registry.collect()
        if family.name == "subshift_consumer_lag"
        for sample in family.samples
    }


def test_a_consumer_stops_reporting_lag_for_partitions_it_gave_away(traced: Pipeline, pg: PgConnection) -> None:
    users = [f"lag-{uuid.uuid4().hex[:8]}-{k}" for k in range(ROWS)]
    _seed(pg, users)
    quick = traced.settings.model_copy(update={
        "consumer": traced.settings.consumer.model_copy(update={"lag_interval_seconds": 0.2}),
    })
    migration_id = _upload(traced, users)

    with traced.relay(), traced.consumer(quick) as first:
        wait_until(lambda: _state(pg, migration_id) == "succeeded", timeout=120, what="the migration succeeded")
        wait_until(lambda: len(_lag_partitions(first)) > 3, timeout=30, what="the lone consumer reports its lag")
        with traced.consumer(quick):
            # The group splits the partitions; the first consumer keeps reporting only what it still owns.
            wait_until(lambda: len(_lag_partitions(first)) <= 3, timeout=60,
                       what="the first consumer drops the lag of partitions it gave away")
            assert 0 < len(_lag_partitions(first)) <= 3
