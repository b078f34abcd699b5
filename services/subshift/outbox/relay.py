"""The outbox relay: staged items → one Avro event each on ``user-offers`` → cursors moved.

One cycle, in order, in one database transaction:

1. list the migrations that may publish and split the batch fairly among them, within each
   migration's token bucket;
2. take each for this batch (advisory lock) and read that many items after its publish cursor;
3. produce one event per item with the generated typed producer (key = user id), as the record's
   datum (the typed dict of its Avro primitives: the same bytes, built about twice as fast);
4. flush, collecting the delivery reports;
5. move each migration's cursor over its unbroken run of acknowledged items (one ``UPDATE`` per
   migration, counting them published) and commit.

A crash anywhere before 5 commits nothing: the items are read again and republished
(at-least-once; the consumer makes the effect exactly-once). Items after the first
unacknowledged one stay behind the cursor and the relay backs off before the next cycle, so a
broker outage never spins.

An event the broker refuses as too large may only be too large as part of its batch. Its
migration becomes a suspect: the next cycle publishes that migration's next event alone (a probe),
and if the broker refuses even that, no retry can ever publish it, so the migration is FAILED
(``subshift.lifecycle.fail``) with ``state_reason`` naming the row and the broker's answer.
"""

from __future__ import annotations

import contextlib
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable

import psycopg2
from confluent_kafka import KafkaError, Message
from prometheus_client import Histogram

from subshift.config import RelaySettings
from subshift.db.connect import PgConnection
from subshift.faults import Backoff, classify
from subshift.lifecycle import fail
from subshift.observability.logs import get_logger
from subshift.observability.tracing import SpanKind, continued_spans, get_tracer, with_traceparent_header
from subshift.outbox.claim import ActiveMigration, Claim, active_migrations, claim_items, mark_published
from subshift.outbox.metrics import RelayMetrics
from subshift.outbox.throttle import FairThrottle
from subshift_client.avro_runtime import epoch_millis
from subshift_client.producer import TypedProducer
from subshift_client.records import UserOfferMigrationRequested, UserOfferMigrationRequestedDatum

__all__ = ["Relay"]

_log = get_logger("subshift.relay")
_tracer = get_tracer(__name__)

# Cycles in a row in which no delivery succeeded before the producer is replaced.
_RENEW_AFTER_FAILED_CYCLES = 3

# Delivery errors that retrying the same record may never cure: the broker refuses it (or its batch)
# for its size. Every other error is retried.
_TOO_LARGE = frozenset({KafkaError.MSG_SIZE_TOO_LARGE})


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
        self._conn: PgConnection | None = None
        self._topic = producer.topic.name
        # Migrations whose next event the broker refused as too large, to be probed alone.
        self._suspects: set[uuid.UUID] = set()

    def run(self) -> None:
        """Cycle until stopped; transient faults back off and retry, never lose or skip an item."""
        while not self._stop.is_set():
            try:
                published, failed, wait = self.cycle()
            except Exception as error:
                self._drop_connection()
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
        self._producer.flush(self._settings.delivery_timeout_ms / 1000)
        self._drop_connection()

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
        conn = self._connection()
        started = time.monotonic()
        # 1. who may publish, and how much
        migrations = active_migrations(conn)
        self._suspects &= {m.id for m in migrations}
        if self._suspects:
            return self._probe(conn, next(m for m in migrations if m.id in self._suspects))
        allowances = self._throttle.allowances([(m.id, m.max_rows_per_second) for m in migrations],
                                               self._settings.batch_size)
        # 2. take each migration for this batch and read its next items
        claims: list[Claim] = []
        for migration in migrations:
            limit = allowances.get(migration.id, 0)
            if limit > 0 and (claim := claim_items(conn, migration, limit)) is not None:
                self._throttle.spend(migration.id, len(claim.rows))
                claims.append(claim)
        if not claims:
            conn.rollback()
            throttled = self._throttle.seconds_until_any() if migrations else 0.0
            return 0, 0, throttled if throttled > 0 else self._settings.idle_seconds
        # 3. produce, 4. collect the delivery reports
        failed, failures, too_large = self._publish(claims)
        self._suspects |= set(too_large)
        # 5. move the cursors over what the broker acknowledged, then commit
        progress: dict[uuid.UUID, tuple[int, int, int]] = {}
        for claim in claims:
            first_failed = failed.get(claim.migration.id)
            done = claim.rows if first_failed is None else claim.rows[:first_failed]
            progress[claim.migration.id] = (claim.start, done[-1][0] if done else claim.start, len(done))
        marked = mark_published(conn, progress)
        conn.commit()
        claimed = sum(len(c.rows) for c in claims)
        lost = sum(failures.values())
        self._metrics.batch_size.observe(claimed)
        self._metrics.batch_seconds.observe(time.monotonic() - started)
        self._metrics.marked.inc(marked)
        _log.info("relay.batch", claimed=claimed, published=claimed - lost, failed=lost, errors=dict(failures),
                  marked=marked, migrations=sorted(str(c.migration.id) for c in claims),
                  seconds=round(time.monotonic() - started, 4))
        return claimed - lost, lost, 0.0

    def _probe(self, conn: PgConnection, migration: ActiveMigration) -> tuple[int, int, float]:
        """Publish a suspect migration's next event alone; FAIL the migration if the broker refuses even that.

        Raises:
            psycopg2.Error: the database failed; nothing of this cycle was committed.
        """
        claim = claim_items(conn, migration, 1)
        if claim is None:  # another relay holds it, or it ended: the normal cycles take it from here
            conn.rollback()
            self._suspects.discard(migration.id)
            return 0, 0, 0.0
        failed, failures, too_large = self._publish([claim])
        if migration.id in too_large:
            row = claim.rows[0][0]
            why = (f"the event of row {row} is larger than topic {self._topic} accepts ({too_large[migration.id]}), "
                   "alone as well as in a batch, so it can never be published; raise the topic's max.message.bytes "
                   "and upload the remaining rows again")
            ended = fail(conn, migration.id, why=why)
            conn.commit()
            self._suspects.discard(migration.id)
            if ended:
                _log.error("relay.migration_failed", migration=str(migration.id), row=row, reason=why)
            return 0, 0, 0.0  # the other migrations go on at once
        if failed:  # a transient failure: probe again after the back-off
            conn.rollback()
            return 0, sum(failures.values()), 0.0
        marked = mark_published(conn, {migration.id: (claim.start, claim.rows[0][0], 1)})
        conn.commit()
        self._suspects.discard(migration.id)
        self._metrics.marked.inc(marked)
        _log.warning("relay.batch_too_large", migration=str(migration.id),
                     hint="an event fits alone but not in a batch: lower SUBSHIFT_RELAY_PRODUCER_BATCH_BYTES or raise "
                          "the topic's max.message.bytes")
        return 1, 0, 0.0

    def _publish(self, claims: list[Claim]) -> tuple[dict[uuid.UUID, int], Counter[str], dict[uuid.UUID, str]]:
        """Produce every claimed item and flush; returns, per migration, the index of its first
        unacknowledged item, the failures by error name, and, per migration whose first unacknowledged
        item the broker refused as too large, that error's name."""
        reports = _DeliveryReports(self._metrics.delivery_latency.labels(topic=self._topic))
        metrics, topic = self._metrics, self._topic
        produced = 0
        # One "publish" span per migration trace in the batch; each record carries its span's
        # traceparent header so the consumer's "apply" continues the same trace.
        parents = (row[5] for claim in claims for row in claim.rows)
        with continued_spans(_tracer, "publish", parents, kind=SpanKind.PRODUCER,
                             attributes={"messaging.system": "kafka", "messaging.destination.name": topic}) as spans:
            headers = {parent: with_traceparent_header(None, child) for parent, child in spans.items()}
            on_delivery = reports.report
            for claim in claims:
                migration = claim.migration
                mid_text = str(migration.id)
                requested_at, requested_by = epoch_millis(migration.created_at), migration.created_by
                # Records without headers go to librdkafka in one call per claim; the queue holds two claims
                # and every cycle ends with a flush, so none is refused for room.
                plain: list[UserOfferMigrationRequestedDatum] = []
                keys: list[str] = []
                for row_number, user_id, current, target, event_id, trace_parent in claim.rows:
                    datum: UserOfferMigrationRequestedDatum = {
                        "event_id": event_id, "migration_id": mid_text, "user_id": user_id, "current_offer": current,
                        "target_offer": target, "requested_at": requested_at, "requested_by": requested_by,
                        "row_number": row_number,
                    }
                    if not (traced := headers[trace_parent]):
                        plain.append(datum)
                        keys.append(user_id)
                        continue
                    if plain:  # in row order
                        self._producer.produce_datums(plain, keys, on_delivery=on_delivery)
                        plain, keys = [], []
                    while True:
                        try:
                            self._producer.produce_datum(datum, key=user_id, on_delivery=on_delivery, headers=traced)
                            break
                        except BufferError:
                            # librdkafka's queue is full: serve delivery reports to make room (blocks briefly).
                            self._producer.poll(0.05)
                if plain:
                    self._producer.produce_datums(plain, keys, on_delivery=on_delivery)
                produced += len(claim.rows)
            metrics.produced.labels(topic=topic).inc(produced)
            left = self._producer.flush(self._settings.delivery_timeout_ms / 1000 + 5)
        failures = reports.failures
        too_large: dict[uuid.UUID, str] = {}
        if left:
            # Never acknowledged within the flush: nothing of the batch is counted as published.
            failures["STILL_QUEUED"] += left
            first_failed = {claim.migration.id: 0 for claim in claims}
        else:
            first_failed = reports.first_failed(claims)
            too_large = reports.too_large(claims, first_failed)
        metrics.delivered.labels(topic=topic).inc(produced - sum(failures.values()))
        for name, count in failures.items():
            metrics.failed.labels(topic=topic, error=name).inc(count)
        return first_failed, failures, too_large

    def _connection(self) -> PgConnection:
        if self._conn is None or self._conn.closed:
            self._conn = self._connect()
        return self._conn

    def _drop_connection(self) -> None:
        if self._conn is not None:
            with contextlib.suppress(psycopg2.Error):
                self._conn.close()
            self._conn = None


class _DeliveryReports:
    """One batch's delivery reports, through one callback shared by all its records.

    A failed record is known by its key (the user id): the rare failure path then finds, per
    migration, the first item of a failed user. That is exact when a user appears once in the
    batch and otherwise stops the cursor earlier (republishing more), never later.
    """

    def __init__(self, latency: Histogram) -> None:
        self.failures: Counter[str] = Counter()
        self._failed_keys: set[str] = set()
        self._too_large_keys: dict[str, str] = {}  # key → the size error's name
        self._latency = latency
        self._delivered = 0

    def report(self, error: KafkaError | None, message: Message) -> None:
        if error is not None:
            self.failures[error.name()] += 1
            raw = message.key()
            key = raw.decode("utf-8") if isinstance(raw, bytes) else str(raw)
            self._failed_keys.add(key)
            if error.code() in _TOO_LARGE:
                self._too_large_keys[key] = error.name()
            return
        self._delivered += 1
        if self._delivered & 15 == 0:  # sampled 1 in 16
            self._latency.observe(message.latency() or 0.0)

    def first_failed(self, claims: list[Claim]) -> dict[uuid.UUID, int]:
        """Per migration with a failed record, the index of its first item whose user had a record fail."""
        found: dict[uuid.UUID, int] = {}
        if not self._failed_keys:
            return found
        for claim in claims:
            index = next((i for i, row in enumerate(claim.rows) if row[1] in self._failed_keys), None)
            if index is not None:
                found[claim.migration.id] = index
        return found

    def too_large(self, claims: list[Claim], first_failed: dict[uuid.UUID, int]) -> dict[uuid.UUID, str]:
        """Per migration whose first unacknowledged item's user had a record refused as too large, the error."""
        found: dict[uuid.UUID, str] = {}
        if not self._too_large_keys:
            return found
        for claim in claims:
            index = first_failed.get(claim.migration.id)
            if index is not None and (error := self._too_large_keys.get(claim.rows[index][1])) is not None:
                found[claim.migration.id] = error
        return found
