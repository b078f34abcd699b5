"""The consumer's Prometheus metrics (one registry per process, served on ``consumer.metrics_port``)."""

from __future__ import annotations

from dataclasses import dataclass, field

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

__all__ = ["ConsumerMetrics"]

_BATCH_BUCKETS = (1, 10, 100, 500, 1000, 2500, 5000, 10000, 20000)
_LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


@dataclass
class ConsumerMetrics:
    registry: CollectorRegistry = field(default_factory=CollectorRegistry)

    def __post_init__(self) -> None:
        r = self.registry
        self.consumed = Counter("subshift_consumer_consumed", "Records polled.", ["topic"], registry=r)
        self.outcomes = Counter("subshift_consumer_outcomes", "Item outcomes recorded (applied, skipped, "
                                "conflict, not_found, dead_lettered).", ["outcome"], registry=r)
        self.dead_lettered = Counter("subshift_consumer_dead_lettered", "Records sent to the dead-letter topic "
                                     "(mismatched_item: an event that is not its item's, e.g. forged).",
                                     ["reason"], registry=r)
        self.redelivered = Counter("subshift_consumer_redelivered", "Records already applied (offsets or "
                                   "duplicates) and skipped.", registry=r)
        self.batch_size = Histogram("subshift_consumer_batch_size", "Records per applied batch.",
                                    buckets=_BATCH_BUCKETS, registry=r)
        self.apply_seconds = Histogram("subshift_consumer_apply_seconds", "Database transaction of one batch.",
                                       buckets=_LATENCY_BUCKETS, registry=r)
        self.lag = Gauge("subshift_consumer_lag", "High watermark minus committed offset.",
                         ["topic", "partition"], registry=r)
        self.offsets_reset = Counter("subshift_consumer_offsets_reset", "Stored offsets not used on assignment "
                                     "because they count another topic's records (topic_changed, "
                                     "cluster_changed) or lie beyond the partition's end (beyond_end); the "
                                     "partition is read again.", ["topic", "reason"], registry=r)
        self.retries = Counter("subshift_consumer_retries", "Batches retried after a fault.", ["reason"],
                               registry=r)
