"""The outbox relay: staged items → one Avro event each on ``user-offers`` → marked published.

One cycle, in order:

1. list the migrations that may publish and split the batch fairly among them, within each
   migration's token bucket;
2. claim that many unpublished items per migration (``FOR UPDATE SKIP LOCKED``; the
   transaction stays open, so the rows stay ours);
3. produce one event per item with the generated typed producer (key = user id);
4. flush, collecting the delivery reports;
5. take exactly the acknowledged items out of the outbox (one set-based DELETE), count them
   published and commit.

Step 5 runs on a second connection in a helper thread while the next cycle claims and
produces (at most one batch being marked at a time): the claimed rows stay locked until their
own commit, so the next claim skips them.

A crash anywhere before 5 commits nothing: the items are claimed again and republished
(at-least-once; the consumer makes the effect exactly-once). Unacknowledged items stay
unpublished and the relay backs off before the next cycle, so a broker outage never spins.
"""

from __future__ import annotations

import contextlib
import functools
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor

import psycopg2
from confluent_kafka import KafkaError, Message

from subshift.config import RelaySettings
from subshift.db.connect import PgConnection
from subshift.messaging.backoff import Backoff
from subshift.messaging.faults import classify
from subshift.observability.logs import get_logger
from subshift.observability.tracing import SpanKind, continued_spans, get_tracer, with_traceparent_header
from subshift.outbox.claim import (
    ClaimedItem,
    Delivered,
    active_migrations,
    claim_items,
    mark_published,
    vacuum_outbox,
)
from subshift.outbox.metrics import RelayMetrics
from subshift.outbox.throttle import FairThrottle
from subshift_client.producer import TypedProducer
from subshift_client.records import UserOfferMigrationRequested

__all__ = ["Relay"]

_log = get_logger("subshift.relay")
_tracer = get_tracer(__name__)

# Cycles in a row in which no delivery succeeded before the producer is replaced.
_RENEW_AFTER_FAILED_CYCLES = 3
# Outbox rows this relay deletes between two vacuums of the outbox.
_VACUUM_EVERY_ROWS = 50_000


class Relay:
    """Publishes staged items until ``stop`` is set; one relay per process, any number side by side."""

    def __init__(self, settings: RelaySettings, *, producer: TypedProducer[UserOfferMigrationRequested],
                 connect: Callable[[], PgConnection], metrics: RelayMetrics, stop: threading.Event,
                 renew_producer: Callable[[], TypedProducer[UserOfferMigrationRequested] | None] | None = None,
                 ) -> None:
        self._settings = settings
        self._producer = producer
        self._renew_producer = renew_producer
        self._failed_cycles = 0
        self._connect = connect
        self._metrics = metrics
        self._stop = stop
        self._throttle = FairThrottle()
        self._backoff = Backoff(base_seconds=settings.retry_base_seconds, cap_seconds=settings.retry_cap_seconds)
        # Two connections: one claims and produces while the other marks the previous batch.
        self._conns: list[PgConnection | None] = [None, None]
        self._slot = 0
        self._marker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="relay-mark")
        self._marking: Future[None] | None = None
        self._topic = producer.topic.name
        # Per migration, the last row of this relay's previous claim: the next claim continues there.
        self._after: dict[uuid.UUID, int] = {}
        self._marked_since_vacuum = 0

    def run(self) -> None:
        """Cycle until stopped; transient faults back off and retry, never lose or skip an item."""
        while not self._stop.is_set():
            try:
                published, failed, wait = self.cycle()
            except Exception as error:
                self._after.clear()
                with contextlib.suppress(Exception):
                    self._await_marking()  # never close a connection the marker thread still uses
                self._drop_connections()
                if not isinstance(error, psycopg2.Error):
                    self._metrics.retries.labels(reason=classify(error).value).inc()
                    delay = self._backoff.next_delay()
                    _log.error("relay.cycle_failed", error=f"{type(error).__name__}: {error}"[:500],
                               retry_in=round(delay, 3), exc_info=True)
                    self._stop.wait(delay)
                    continue
                self._metrics.retries.labels(reason="database").inc()
                delay = self._backoff.next_delay()
                _log.warning("relay.database_unavailable", error=str(error).strip(), retry_in=round(delay, 3))
                self._stop.wait(delay)
                continue
            if failed:
                self._metrics.retries.labels(reason="delivery").inc()
                delay = self._backoff.next_delay()
                _log.warning("relay.delivery_failed", failed=failed, published=published, retry_in=round(delay, 3))
                self._failed_cycles = self._failed_cycles + 1 if not published else 0
                if self._failed_cycles >= _RENEW_AFTER_FAILED_CYCLES:
                    self._renew()
                self._stop.wait(delay)
            elif published:
                self._failed_cycles = 0
                self._backoff.reset()
            elif wait > 0:
                self._stop.wait(wait)
        try:
            self._await_marking()
        except psycopg2.Error as error:
            _log.warning("relay.database_unavailable", error=str(error).strip(), retry_in=None)
        self._marker.shutdown()
        self._producer.flush(self._settings.delivery_timeout_ms / 1000)
        self._drop_connections()

    def _renew(self) -> None:
        """Replace a producer whose every delivery failed for several cycles.

        After an outage longer than the delivery timeout, an idempotent librdkafka producer can keep
        failing against a broker that is back (stale leader metadata). Its items were never marked
        published, so a fresh producer simply publishes them again on the next claim.
        """
        if self._renew_producer is None:
            return
        fresh = self._renew_producer()
        if fresh is None:
            return
        self._producer.flush(0)
        self._producer = fresh
        self._failed_cycles = 0
        _log.warning("relay.producer_renewed", topic=self._topic)

    def cycle(self) -> tuple[int, int, float]:
        """One claim → produce → mark → commit; returns (published, failed, seconds to wait before the next).

        Raises:
            psycopg2.Error: the database failed; nothing of this cycle was committed.
        """
        conn = self._connection(self._slot)
        started = time.monotonic()
        # 1. who may publish, and how much
        migrations = active_migrations(conn)
        allowances = self._throttle.allowances([(m.id, m.max_rows_per_second) for m in migrations],
                                               self._settings.batch_size)
        # 2. claim (row locks held until the commit below)
        claimed: list[ClaimedItem] = []
        for migration in migrations:
            limit = allowances.get(migration.id, 0)
            if limit > 0:
                items = claim_items(conn, migration, limit, after=self._after.get(migration.id, 0))
                self._throttle.spend(migration.id, len(items))
                claimed += items
                # A short claim reached the end of what is free behind our position: start from the
                # head next time, where rows released by a failed batch or a dead relay may wait.
                if len(items) == limit:
                    self._after[migration.id] = items[-1].row_number
                else:
                    self._after.pop(migration.id, None)
        if not claimed:
            conn.rollback()
            throttled = self._throttle.seconds_until_any() if migrations else 0.0
            return 0, 0, throttled if throttled > 0 else self._settings.idle_seconds
        # 3. produce, 4. collect the delivery reports
        delivered, failures = self._publish(claimed)
        if failures:
            self._after.clear()  # unacknowledged items stay queued behind our positions
        # 5. mark exactly what the broker acknowledged, then commit (beside the next cycle)
        self._await_marking()
        self._marking = self._marker.submit(self._mark, conn, claimed, delivered, failures, started)
        self._slot ^= 1
        return len(delivered), sum(failures.values()), 0.0

    def _await_marking(self) -> None:
        """Wait for the batch being marked; its database error, if any, surfaces here."""
        marking, self._marking = self._marking, None
        if marking is not None:
            marking.result()

    def _mark(self, conn: PgConnection, claimed: list[ClaimedItem], delivered: list[Delivered],
              failures: Counter[str], started: float) -> None:
        marked = mark_published(conn, delivered)
        conn.commit()
        self._marked_since_vacuum += len(delivered)
        if self._marked_since_vacuum >= _VACUUM_EVERY_ROWS:
            self._marked_since_vacuum = 0
            vacuum_outbox(conn)
        self._metrics.batch_size.observe(len(claimed))
        self._metrics.batch_seconds.observe(time.monotonic() - started)
        self._metrics.marked.inc(sum(marked.values()))
        _log.info("relay.batch", claimed=len(claimed), published=len(delivered), failed=sum(failures.values()),
                  errors=dict(failures), migrations=sorted(str(m) for m in marked),
                  seconds=round(time.monotonic() - started, 4))

    def _publish(self, claimed: list[ClaimedItem]) -> tuple[list[Delivered], Counter[str]]:
        delivered: list[Delivered] = []
        failures: Counter[str] = Counter()
        metrics, topic = self._metrics, self._topic
        latency = metrics.delivery_latency.labels(topic=topic)

        def on_delivery(item: ClaimedItem, error: KafkaError | None, message: Message) -> None:
            if error is not None:
                failures[error.name()] += 1
                return
            delivered.append(Delivered(item.migration_text, item.row_number))
            if item.row_number & 15 == 0:
                latency.observe(message.latency() or 0.0)

        # One "publish" span per migration trace in the batch; each record carries its span's
        # traceparent header so the consumer's "apply" continues the same trace.
        with continued_spans(_tracer, "publish", (item.trace_parent for item in claimed), kind=SpanKind.PRODUCER,
                             attributes={"messaging.system": "kafka", "messaging.destination.name": topic}) as spans:
            headers = {parent: with_traceparent_header(None, child) for parent, child in spans.items()}
            for item in claimed:
                migration = item.migration
                record = UserOfferMigrationRequested(
                    event_id=item.event_id, migration_id=item.migration_text, user_id=item.user_id,
                    current_offer=item.current_offer, target_offer=item.target_offer,
                    requested_at=migration.created_at, requested_by=migration.created_by,
                    row_number=item.row_number,
                )
                callback = functools.partial(on_delivery, item)
                while True:
                    try:
                        self._producer.produce(record, on_delivery=callback, headers=headers[item.trace_parent])
                        break
                    except BufferError:
                        # librdkafka's queue is full: serve delivery reports to make room (blocks briefly).
                        self._producer.poll(0.05)
            metrics.produced.labels(topic=topic).inc(len(claimed))
            left = self._producer.flush(self._settings.delivery_timeout_ms / 1000 + 5)
        if left:
            failures["STILL_QUEUED"] += left
        metrics.delivered.labels(topic=topic).inc(len(delivered))
        for name, count in failures.items():
            metrics.failed.labels(topic=topic, error=name).inc(count)
        return delivered, failures

    def _connection(self, slot: int) -> PgConnection:
        conn = self._conns[slot]
        if conn is None or conn.closed:
            conn = self._conns[slot] = self._connect()
        return conn

    def _drop_connections(self) -> None:
        for slot, conn in enumerate(self._conns):
            if conn is not None:
                with contextlib.suppress(psycopg2.Error):
                    conn.close()
                self._conns[slot] = None
