"""One trace links upload, publish and apply, across the real API, PostgreSQL, Kafka and consumer.

A CSV goes up through the real gRPC API (CreateMigration opens the trace and stores its
traceparent with the migration and each item); the real relay publishes under it and puts the
``traceparent`` header on each Kafka record; the real consumer applies under that header.
"""

from __future__ import annotations

import uuid

from confluent_kafka import Message
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind
from pipeline.harness import Pipeline, wait_until

from subshift.db.connect import PgConnection
from subshift.observability.tracing import traceparent_from_headers
from telemetry.pipeline_run import seed, state, upload

ROWS = 24


def _ids(span: ReadableSpan) -> tuple[str, str]:
    assert span.context is not None
    return f"{span.context.trace_id:032x}", f"{span.context.span_id:016x}"


def test_one_trace_links_upload_publish_and_apply(traced: Pipeline, pg: PgConnection,
                                                  finished_spans: InMemorySpanExporter) -> None:
    users = [f"traced-{uuid.uuid4().hex[:8]}-{k}" for k in range(ROWS)]
    seed(pg, users)

    migration_id = upload(traced, users)
    with traced.relay(), traced.consumer():
        wait_until(lambda: state(pg, migration_id) == "succeeded", timeout=120, what="the migration succeeded")
    records: list[Message] = traced.read_all(traced.topic, expected=ROWS)  # type: ignore[assignment]

    spans = finished_spans.get_finished_spans()
    (created,) = [s for s in spans if s.name == "CreateMigration"
                 and (s.attributes or {}).get("subshift.migration_id") == migration_id]
    trace_id, upload_span = _ids(created)
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
    assert publishes and created.kind is SpanKind.SERVER
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
