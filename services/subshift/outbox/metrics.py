"""The relay's Prometheus metrics (one registry per process, served on ``relay.metrics_port``)."""

from __future__ import annotations

from dataclasses import dataclass, field

from prometheus_client import CollectorRegistry, Counter, Histogram

__all__ = ["RelayMetrics"]

_BATCH_BUCKETS = (1, 10, 100, 500, 1000, 2500, 5000, 10000, 20000, 50000)
_LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


@dataclass
class RelayMetrics:
    registry: CollectorRegistry = field(default_factory=CollectorRegistry)

    def __post_init__(self) -> None:
        r = self.registry
        self.produced = Counter("subshift_relay_produced", "Events handed to the producer.", ["topic"], registry=r)
        self.delivered = Counter("subshift_relay_delivered", "Events the broker acknowledged.", ["topic"], registry=r)
        self.failed = Counter("subshift_relay_delivery_failed", "Events the broker did not acknowledge.",
                              ["topic", "error"], registry=r)
        self.marked = Counter("subshift_relay_marked_published", "Items marked published in the database.",
                              registry=r)
        self.delivery_latency = Histogram("subshift_relay_delivery_latency_seconds",
                                          "Produce to acknowledgement (sampled 1 in 16).", ["topic"],
                                          buckets=_LATENCY_BUCKETS, registry=r)
        self.batch_size = Histogram("subshift_relay_batch_size", "Items claimed per batch.",
                                    buckets=_BATCH_BUCKETS, registry=r)
        self.batch_seconds = Histogram("subshift_relay_batch_seconds", "Claim to commit of one batch.",
                                       buckets=_LATENCY_BUCKETS, registry=r)
        self.retries = Counter("subshift_relay_retries", "Batches retried after a transient fault.", ["reason"],
                               registry=r)
