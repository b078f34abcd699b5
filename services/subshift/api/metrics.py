"""Prometheus metrics of the API, in a registry of their own (one per server, so tests can read them)."""

from __future__ import annotations

import time
from typing import Any

import grpc
from prometheus_client import CollectorRegistry, Counter, Histogram

from subshift.api.handlers import Around

__all__ = ["ApiMetrics", "MetricsAround"]

_LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300)


class ApiMetrics:
    """Requests by method and status code, latency per method, CSV rows accepted and rejected."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry or CollectorRegistry()
        self.requests = Counter("subshift_api_requests", "gRPC calls by method and status code.",
                                ["method", "code"], registry=self.registry)
        self.latency = Histogram("subshift_api_request_seconds", "gRPC call duration (streams: until closed).",
                                 ["method"], buckets=_LATENCY_BUCKETS, registry=self.registry)
        self.rows = Counter("subshift_api_csv_rows", "CSV rows by verdict (accepted, rejected).",
                            ["verdict"], registry=self.registry)

    def count_rows(self, *, accepted: int, rejected: int) -> None:
        self.rows.labels("accepted").inc(accepted)
        self.rows.labels("rejected").inc(rejected)


class MetricsAround(Around):
    """Times a call and counts it under its final status code."""

    def __init__(self, metrics: ApiMetrics, method: str) -> None:
        self._metrics = metrics
        self._method = method.rsplit("/", 1)[-1]

    def before(self, context: grpc.ServicerContext) -> Any:
        return time.perf_counter()

    def after(self, context: grpc.ServicerContext, state: Any, error: BaseException | None) -> None:
        code = context.code()  # type: ignore[attr-defined]  # exists since grpcio 1.38; the stubs lag
        if code is None:
            code = grpc.StatusCode.OK if error is None or isinstance(error, GeneratorExit) else grpc.StatusCode.UNKNOWN
        if isinstance(error, GeneratorExit):
            code = grpc.StatusCode.CANCELLED
        self._metrics.requests.labels(self._method, code.name).inc()
        self._metrics.latency.labels(self._method).observe(time.perf_counter() - state)
