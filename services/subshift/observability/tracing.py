"""OpenTelemetry tracing: one provider per process and the W3C ``traceparent`` hand-offs.

A migration is one trace. ``CreateMigration`` opens it and stores its ``traceparent``
with the migration and each item; the relay opens a ``publish`` span under the item's
``traceparent`` and writes its own into the Kafka record header ``traceparent``; the
consumer opens an ``apply`` span under the header's. Relay and consumer work in batches,
so they open one span per distinct parent in a batch (not per record): the trace stays
linked while the cost stays per batch.

Tracing is off by default (``SUBSHIFT_TRACING_EXPORTER=none``): no provider is installed,
spans are the API's no-ops, and ``current_traceparent()`` returns None.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager

from opentelemetry import trace
from opentelemetry.context import Context
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExporter
from opentelemetry.sdk.trace.sampling import ParentBased, TraceIdRatioBased
from opentelemetry.trace import SpanKind
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator
from opentelemetry.util.types import AttributeValue

from subshift.config.tracing import TracingSettings
from subshift.errors import ContractError

__all__ = [
    "TRACEPARENT_HEADER",
    "SpanKind",
    "build_tracer_provider",
    "configure_tracing",
    "context_from_headers",
    "context_from_traceparent",
    "continued_spans",
    "current_traceparent",
    "get_tracer",
    "traceparent_from_headers",
    "with_traceparent_header",
]

TRACEPARENT_HEADER = "traceparent"

# W3C trace context only (no baggage): the header and the column hold exactly one value.
_PROPAGATOR = TraceContextTextMapPropagator()

Headers = Sequence[tuple[str, bytes | str | None]]


def configure_tracing(settings: TracingSettings, *, service: str) -> TracerProvider | None:
    """Install this process's tracer provider, or none when tracing is off.

    The caller shuts the returned provider down on exit so the last spans are flushed.

    Raises:
        ContractError: the OTLP exporter is configured but its package is not installed.
    """
    provider = build_tracer_provider(settings, service=service)
    if provider is not None:
        trace.set_tracer_provider(provider)
    return provider


def build_tracer_provider(
    settings: TracingSettings, *, service: str, exporter: SpanExporter | None = None
) -> TracerProvider | None:
    """A tracer provider for ``service`` (``api``, ``relay``, ``consumer``), without installing it.

    ``exporter`` overrides the configured one (tests pass an in-memory exporter); without
    one, ``exporter = "none"`` means no provider at all.

    Raises:
        ContractError: the OTLP exporter is configured but its package is not installed.
    """
    if exporter is None:
        if settings.exporter == "none":
            return None
        exporter = _otlp_exporter(settings)
    provider = TracerProvider(
        resource=Resource.create({"service.name": f"{settings.service_name}-{service}"}),
        sampler=ParentBased(TraceIdRatioBased(settings.sample_ratio)),
    )
    provider.add_span_processor(BatchSpanProcessor(exporter))
    return provider


def _otlp_exporter(settings: TracingSettings) -> SpanExporter:
    try:
        from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter
    except ImportError as error:  # the exporter is an optional extra
        raise ContractError(
            "SUBSHIFT_TRACING_EXPORTER=otlp needs the OTLP exporter: pip install 'subshift[otlp]'"
        ) from error
    exporter: SpanExporter = OTLPSpanExporter(endpoint=settings.otlp_endpoint, insecure=settings.otlp_insecure)
    return exporter


def get_tracer(name: str) -> trace.Tracer:
    """The tracer for a module; a no-op until ``configure_tracing`` installs a provider."""
    return trace.get_tracer(name)


def current_traceparent() -> str | None:
    """The W3C ``traceparent`` of the current span, or None when nothing is being recorded."""
    carrier: dict[str, str] = {}
    _PROPAGATOR.inject(carrier)
    return carrier.get(TRACEPARENT_HEADER)


def context_from_traceparent(traceparent: str | None) -> Context:
    """A context whose parent is ``traceparent``; an empty context when it is missing or malformed."""
    if not traceparent:
        return Context()
    return _PROPAGATOR.extract({TRACEPARENT_HEADER: traceparent}, context=Context())


def traceparent_from_headers(headers: Headers | None) -> str | None:
    """The ``traceparent`` among Kafka record headers or gRPC metadata (bytes or str values)."""
    for key, value in headers or ():
        if key.lower() == TRACEPARENT_HEADER and value is not None:
            return value.decode("ascii", errors="replace") if isinstance(value, bytes) else value
    return None


def context_from_headers(headers: Headers | None) -> Context:
    """The parent context carried by Kafka record headers or gRPC metadata."""
    return context_from_traceparent(traceparent_from_headers(headers))


def with_traceparent_header(
    headers: Iterable[tuple[str, bytes]] | None, traceparent: str | None
) -> list[tuple[str, bytes]]:
    """Kafka headers with ``traceparent`` set (replacing any previous one); unchanged when None."""
    kept = [(key, value) for key, value in headers or () if key.lower() != TRACEPARENT_HEADER]
    if traceparent:
        kept.append((TRACEPARENT_HEADER, traceparent.encode("ascii")))
    return kept


@contextmanager
def continued_spans(
    tracer: trace.Tracer,
    name: str,
    parents: Iterable[str | None],
    *,
    kind: SpanKind = SpanKind.INTERNAL,
    attributes: Mapping[str, AttributeValue] | None = None,
) -> Iterator[dict[str | None, str | None]]:
    """Open one span per distinct parent ``traceparent`` for the length of a batch.

    Yields a map from each parent to the ``traceparent`` of the span opened under it, for
    the relay to write into the records it publishes. Items without a parent share one
    root span. The spans are not made current (a batch has several parents); an exception
    leaving the block marks every one of them failed. With tracing off no span is recorded
    and each parent maps to itself, so a trace begun elsewhere still reaches the consumer.
    """
    spans: dict[str | None, trace.Span] = {}
    for parent in dict.fromkeys(parents):
        spans[parent] = tracer.start_span(
            name, context=context_from_traceparent(parent), kind=kind, attributes=attributes
        )
    try:
        yield {parent: _traceparent_of(span) for parent, span in spans.items()}
    except BaseException as error:
        for span in spans.values():
            span.record_exception(error)
            span.set_status(trace.Status(trace.StatusCode.ERROR, f"{type(error).__name__}: {error}"))
        raise
    finally:
        for span in spans.values():
            span.end()


def _traceparent_of(span: trace.Span) -> str | None:
    carrier: dict[str, str] = {}
    _PROPAGATOR.inject(carrier, context=trace.set_span_in_context(span, Context()))
    return carrier.get(TRACEPARENT_HEADER)
