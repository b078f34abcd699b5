"""W3C trace context hand-offs and the per-batch spans of relay and consumer."""

from __future__ import annotations

import pytest
from opentelemetry import trace
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from subshift.config.tracing import TracingSettings
from subshift.observability.tracing import (
    TRACEPARENT_HEADER,
    build_tracer_provider,
    configure_tracing,
    context_from_headers,
    context_from_traceparent,
    continued_spans,
    current_traceparent,
    traceparent_from_headers,
    with_traceparent_header,
)

_PARENT = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"


@pytest.fixture
def exporter() -> InMemorySpanExporter:
    return InMemorySpanExporter()


@pytest.fixture
def tracer(exporter: InMemorySpanExporter) -> trace.Tracer:
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    return provider.get_tracer("tests")


def _traceparent(span: ReadableSpan) -> str:
    context = span.get_span_context()
    assert context is not None
    return f"00-{context.trace_id:032x}-{context.span_id:016x}-{int(context.trace_flags):02x}"


def test_tracing_is_off_by_default_and_installs_nothing() -> None:
    before = trace.get_tracer_provider()
    assert TracingSettings().exporter == "none"
    assert configure_tracing(TracingSettings(), service="api") is None
    assert trace.get_tracer_provider() is before


def test_provider_names_the_service_and_follows_the_parent_sampling(exporter: InMemorySpanExporter) -> None:
    settings = TracingSettings(service_name="subshift", sample_ratio=0.0)
    provider = build_tracer_provider(settings, service="relay", exporter=exporter)
    assert provider is not None
    assert provider.resource.attributes["service.name"] == "subshift-relay"
    tracer = provider.get_tracer("tests")
    with tracer.start_as_current_span("new trace"):
        assert current_traceparent() is not None
    with tracer.start_as_current_span("continued", context=context_from_traceparent(_PARENT)):
        pass
    provider.force_flush()
    # A ratio of 0 drops new traces but a sampled parent's children are still recorded.
    assert [span.name for span in exporter.get_finished_spans()] == ["continued"]
    provider.shutdown()


def test_current_traceparent_is_the_w3c_form_of_the_current_span(
    tracer: trace.Tracer, exporter: InMemorySpanExporter
) -> None:
    with tracer.start_as_current_span("CreateMigration"):
        inside = current_traceparent()
    assert inside == _traceparent(exporter.get_finished_spans()[0])


def test_current_traceparent_is_none_without_a_recording_span() -> None:
    assert current_traceparent() is None


@pytest.mark.parametrize("value", [None, "", "not-a-traceparent", "00-" + "0" * 32 + "-" + "0" * 16 + "-01"])
def test_missing_or_malformed_traceparent_gives_no_parent(value: str | None) -> None:
    context = context_from_traceparent(value)
    assert not trace.get_current_span(context).get_span_context().is_valid


def test_traceparent_round_trips_through_a_context(tracer: trace.Tracer, exporter: InMemorySpanExporter) -> None:
    with tracer.start_as_current_span("apply", context=context_from_traceparent(_PARENT)):
        pass
    (span,) = exporter.get_finished_spans()
    assert span.parent is not None
    assert f"{span.parent.trace_id:032x}" == _PARENT.split("-")[1]
    assert f"{span.parent.span_id:016x}" == _PARENT.split("-")[2]


def test_header_is_found_in_kafka_headers_and_grpc_metadata() -> None:
    kafka_headers: list[tuple[str, bytes | str | None]] = [("reason", b"x"), (TRACEPARENT_HEADER, _PARENT.encode())]
    grpc_metadata: list[tuple[str, bytes | str | None]] = [("Traceparent", _PARENT)]
    assert traceparent_from_headers(kafka_headers) == _PARENT
    assert traceparent_from_headers(grpc_metadata) == _PARENT
    assert traceparent_from_headers(None) is None
    assert traceparent_from_headers([("reason", b"x")]) is None
    assert trace.get_current_span(context_from_headers(kafka_headers)).get_span_context().is_valid


def test_setting_the_header_replaces_an_old_one_and_keeps_the_others() -> None:
    headers = [("reason", b"x"), (TRACEPARENT_HEADER, b"old")]
    assert with_traceparent_header(headers, _PARENT) == [("reason", b"x"), (TRACEPARENT_HEADER, _PARENT.encode())]
    assert with_traceparent_header(None, _PARENT) == [(TRACEPARENT_HEADER, _PARENT.encode())]
    assert with_traceparent_header([("reason", b"x")], None) == [("reason", b"x")]


def test_continued_spans_open_one_span_per_distinct_parent(
    tracer: trace.Tracer, exporter: InMemorySpanExporter
) -> None:
    other = "00-1af7651916cd43dd8448eb211c80319c-c7ad6b7169203331-01"
    with continued_spans(tracer, "publish", [_PARENT, other, _PARENT, None], attributes={"items": 4}) as children:
        assert exporter.get_finished_spans() == ()
    spans = {span.parent.span_id if span.parent else None: span for span in exporter.get_finished_spans()}
    assert len(spans) == 3
    for parent in (_PARENT, other):
        span = spans[int(parent.split("-")[2], 16)]
        assert f"{span.context.trace_id:032x}" == parent.split("-")[1]
        assert children[parent] == _traceparent(span)
        assert span.attributes == {"items": 4}
    assert children[None] == _traceparent(spans[None])


def test_continued_spans_mark_every_span_failed_when_the_batch_fails(
    tracer: trace.Tracer, exporter: InMemorySpanExporter
) -> None:
    with pytest.raises(RuntimeError, match="broker down"), continued_spans(tracer, "publish", [_PARENT, None]):
        raise RuntimeError("broker down")
    spans = exporter.get_finished_spans()
    assert len(spans) == 2
    assert all(span.status.status_code is trace.StatusCode.ERROR for span in spans)
    assert all(span.events[0].name == "exception" for span in spans)


def test_continued_spans_pass_the_parent_through_when_tracing_is_off() -> None:
    noop = trace.NoOpTracerProvider().get_tracer("tests")
    with continued_spans(noop, "apply", [_PARENT, None]) as children:
        assert children == {_PARENT: _PARENT, None: None}


def test_otlp_exporter_sends_to_the_configured_collector() -> None:
    from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter

    settings = TracingSettings(exporter="otlp", otlp_endpoint="http://collector.example:4317")
    provider = build_tracer_provider(settings, service="consumer")
    assert provider is not None
    (processor,) = provider._active_span_processor._span_processors  # the SDK keeps no public accessor
    exporter = processor.span_exporter  # type: ignore[attr-defined]
    assert isinstance(exporter, OTLPSpanExporter)
    assert exporter._endpoint == "collector.example:4317"
    assert provider.resource.attributes["service.name"] == "subshift-consumer"
    provider.shutdown()
