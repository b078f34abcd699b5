"""The consumer loop: events from ``user-offers`` applied to ``subscriptions`` exactly once in effect.

The commit order, step by step (the code below reads in this order):

1. **Poll** a batch (up to ``consumer.batch_size`` records) with the generated typed consumer.
2. **Decode**: each record is a ``Decoded`` event or an ``Undecodable`` value; decoded events are
   validated. Whatever can never be applied becomes a dead letter. A registry outage rewinds the
   batch and is retried (transient, step 1 again after a backoff).
3. **Apply in one database transaction** (``transaction``): lock the partitions' stored offsets
   and drop records already applied; copy the batch in; send dead letters (same partition number,
   Spring-compatible headers) and wait for the broker; then, one round per position of a user in
   the batch, compare-and-set on ``subscriptions`` and record the outcome of each item still
   pending (a redelivered item is a no-op; ``store``); dead-letter records whose item does not
   exist; bump the migration counters and finish migrations with nothing left pending; store the
   next offsets in ``consumer_offsets``.
4. **Commit the database transaction.**
5. **Commit the Kafka offsets** (``enable.auto.offset.store`` and ``enable.auto.commit`` are off;
   nothing is committed before step 4). If this fails, the database offsets of step 3 win.

Steps 3 and 4 of a batch run on a helper thread while the main thread polls and decodes the next
batch (1 and 2), so decoding overlaps the database's work; a batch's database commit (4, or its
retries until it commits) comes before the next batch is handed over, so batches apply in the order
they were polled, and its Kafka commit (5) right after that hand-over, so the database is not idle
meanwhile. The main thread also plans the next batch and builds its ``COPY`` text, as if the
database had applied none of it (step 3 plans again only when the stored offsets show that part of
it was: a redelivery), and works out where its records were read (partitions, next offsets, trace
parents), so the helper thread holds the GIL only to talk to the database. It plans again when a
rebalance changed the partitions it owns.

A transient fault in 3 or 4 (database down, timeouts, the broker not acknowledging a dead letter)
rolls back and retries the same batch with backoff and jitter, never committing past it, so one
user's changes keep their order. While it waits, the consumer keeps polling with its partitions
paused, so it stays in the group; partitions revoked meanwhile are dropped from the batch (their
new owner starts from the last commit). SIGTERM finishes the batch in hand, commits, and leaves.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

import psycopg2
from confluent_kafka import TopicPartition

from subshift.apply.batch import Plan, Positions, PreparedBatch, positions_of, prepare_batch
from subshift.apply.metrics import ConsumerMetrics
from subshift.apply.rebalance import Assignment
from subshift.apply.sorting import Polled, sort_batch
from subshift.apply.transaction import apply_batch
from subshift.config import ConsumerSettings
from subshift.db.connect import PgConnection
from subshift.deadletter.letters import DeadLetter, letters_for
from subshift.deadletter.producer import DeadLetterProducer
from subshift.faults import Backoff, Fault, classify
from subshift.messaging.topic_identity import TopicIdentity
from subshift.observability.logs import get_logger
from subshift.observability.tracing import SpanKind, continued_spans, get_tracer
from subshift_client.consumer import TypedConsumer
from subshift_client.decoded import MessageRef
from subshift_client.errors import KafkaClientError, RegistryUnavailableError
from subshift_client.records import UserOfferMigrationRequested

__all__ = ["ApplyConsumer"]

_log = get_logger("subshift.consumer")
_tracer = get_tracer(__name__)


@dataclass
class _Ready:
    """A polled batch's records of the partitions owned when it was planned (``owned``)."""

    batch: list[Polled]
    owned: frozenset[int]
    positions: Positions
    prepared: PreparedBatch


@dataclass
class _InFlight:
    """A batch whose apply (steps 3 and 4) runs on the helper thread."""

    batch: list[Polled]
    positions: Positions
    started: float
    applied: Future[Plan]


class ApplyConsumer:
    """Applies ``user-offers`` events until ``stop`` is set."""

    def __init__(self, settings: ConsumerSettings, *, typed: TypedConsumer[UserOfferMigrationRequested],
                 dead_letters: DeadLetterProducer, connect: Callable[[], PgConnection],
                 metrics: ConsumerMetrics, stop: threading.Event,
                 identify: Callable[[str], TopicIdentity | None] | None = None) -> None:
        self._settings = settings
        self._typed = typed
        self._dead_letters = dead_letters
        self._connect = connect
        self._metrics = metrics
        self._stop = stop
        self._topic = typed.topic.name
        self._backoff = Backoff(base_seconds=settings.retry_base_seconds, cap_seconds=settings.retry_cap_seconds)
        self._conn: PgConnection | None = None
        self._assignment = Assignment(group_id=settings.group_id, topic=self._topic, connect=connect,
                                      identify=identify, metrics=metrics)
        self._committed: dict[int, int] = {}
        self._lag_at = 0.0
        self._lag_reported: set[int] = set()
        self._applier = ThreadPoolExecutor(max_workers=1, thread_name_prefix="consumer-apply")

    def run(self) -> None:
        """Subscribe, then poll → decode → apply → commit DB → commit Kafka until stopped; then leave the group."""
        consumer = self._typed.consumer
        consumer.subscribe([self._topic], on_assign=self._assignment.on_assign,
                           on_revoke=self._assignment.on_revoke, on_lost=self._assignment.on_revoke)
        in_flight: _InFlight | None = None
        try:
            while not self._stop.is_set():
                batch = self._poll()                                        # 1. poll, 2. decode
                ready = self._ready(batch) if batch else None               # plan, while the last batch applies
                applied = self._finish(in_flight) if in_flight is not None else None  # (or retry 3. + 4.)
                in_flight = self._start(ready) if ready is not None else None  # 3. + 4. on the helper thread
                if applied is not None:
                    self._commit_kafka(applied.newest.values())             # 5.
                self._report_lag()
            if in_flight is not None and (applied := self._finish(in_flight)) is not None:
                self._commit_kafka(applied.newest.values())
        finally:
            self._applier.shutdown(wait=True)                               # a batch in hand commits or rolls back
            self._drop_connection()
            self._typed.close()                                             # leave the group
            self._dead_letters.close()
            _log.info("consumer.stopped")

    # 1. + 2.
    def _poll(self) -> list[Polled]:
        try:
            batch = self._typed.poll_datums(self._settings.batch_size, self._settings.poll_timeout_seconds)
        except (RegistryUnavailableError, KafkaClientError) as error:
            if isinstance(error, KafkaClientError) and error.fatal:
                raise
            self._wait_after(error, reason="registry" if isinstance(error, RegistryUnavailableError) else "kafka")
            return []
        self._metrics.consumed.labels(topic=self._topic).inc(len(batch))
        return batch

    def _ready(self, batch: list[Polled]) -> _Ready | None:
        """The batch's records of the partitions owned now, sorted and planned; None if it has none."""
        owned = frozenset(self._assignment.owned)
        refs = {(p.message.partition, p.message.offset): p.message for p in batch if p.message.partition in owned}
        if not refs:
            return None                                                     # every partition was revoked
        changes, dead = sort_batch(batch, group_id=self._settings.group_id)
        prepared = prepare_batch([c for c in changes if c.partition in owned],
                                 [d for d in dead if d.partition in owned])
        return _Ready(batch, owned, positions_of(refs), prepared)

    def _start(self, ready: _Ready) -> _InFlight | None:
        if ready.owned != self._assignment.owned:                           # a rebalance since it was planned
            again = self._ready(ready.batch)
            if again is None:
                return None
            ready = again
        return _InFlight(ready.batch, ready.positions, time.monotonic(),
                         self._applier.submit(self._attempt, ready.prepared, ready.positions))

    def _finish(self, in_flight: _InFlight) -> Positions | None:
        """Wait for the batch's apply, or retry the batch after a fault; what it committed to the
        database (for step 5), or None when the batch was abandoned."""
        try:
            plan = in_flight.applied.result()
        except Exception as error:
            self._rollback()
            self._wait_after(error, reason=classify(error).value, paused=True)
            return self._process(in_flight.batch)
        self._done(plan, in_flight.positions, in_flight.started)
        return in_flight.positions

    def _attempt(self, prepared: PreparedBatch, positions: Positions) -> Plan:
        # One "apply" span per trace in the batch, under the relay's "publish" span (record header).
        with continued_spans(_tracer, "apply", positions.parents, kind=SpanKind.CONSUMER,
                             attributes={"messaging.system": "kafka", "messaging.destination.name": self._topic,
                                         "messaging.batch.message_count": len(positions.refs)}):
            return self._apply(prepared, positions)                         # 3. + 4.

    def _done(self, plan: Plan, positions: Positions, started: float) -> None:
        self._metrics.apply_seconds.observe(time.monotonic() - started)
        self._backoff.reset()
        self._log_batch(plan, len(positions.refs), time.monotonic() - started)

    def _process(self, batch: list[Polled]) -> Positions | None:
        """Apply ``batch`` on this thread, retrying with backoff until it is done (its positions) or the
        consumer stops (None)."""
        changes, dead = sort_batch(batch, group_id=self._settings.group_id)
        refs = {(p.message.partition, p.message.offset): p.message for p in batch}
        while not self._stop.is_set():
            owned = self._assignment.owned
            changes = [c for c in changes if c.partition in owned]
            dead = [d for d in dead if d.partition in owned]
            refs = {k: v for k, v in refs.items() if k[0] in owned}
            if not refs:
                return None                                                 # every partition was revoked
            positions = positions_of(refs)
            started = time.monotonic()
            try:
                plan = self._attempt(prepare_batch(changes, dead), positions)
            except Exception as error:
                self._rollback()
                self._wait_after(error, reason=classify(error).value, paused=True)
                continue
            self._done(plan, positions, started)
            return positions
        _log.info("consumer.batch_abandoned", records=len(refs), reason="stopping")
        return None

    # 3. + 4.
    def _apply(self, prepared: PreparedBatch, positions: Positions) -> Plan:
        group, refs = self._settings.group_id, positions.refs

        def send(dead: Sequence[DeadLetter]) -> list[tuple[int, int]]:
            return self._dead_letters.send(letters_for(dead, refs, group_id=group))

        plan, tallies = apply_batch(self._connection(), prepared, group_id=group, topic=self._topic,
                                    next_offsets=positions.next_offsets, identity=self._assignment.identity,
                                    send=send)                              # 4. (commits)
        for counts in tallies.outcomes.values():
            for outcome, count in counts.items():
                self._metrics.outcomes.labels(outcome=outcome).inc(count)
        for letter in plan.dead:
            self._metrics.dead_lettered.labels(reason=letter.reason).inc()
        self._metrics.redelivered.inc(plan.already_applied + plan.duplicates)
        self._metrics.batch_size.observe(len(refs))
        plan.tallies = {str(k): dict(v) for k, v in tallies.outcomes.items()}
        self._committed.update(positions.next_offsets)
        return plan

    # 5.
    def _commit_kafka(self, refs: Iterable[MessageRef]) -> None:
        try:
            self._typed.commit(refs)
        except KafkaClientError as error:
            # The database holds these offsets; the next owner resumes from there.
            self._metrics.retries.labels(reason="kafka_commit").inc()
            _log.warning("consumer.kafka_commit_failed", error=str(error), code=error.code)

    def _wait_after(self, error: BaseException, *, reason: str, paused: bool = False) -> None:
        fault = classify(error)
        delay = self._backoff.next_delay()
        self._metrics.retries.labels(reason=reason).inc()
        if isinstance(error, psycopg2.Error):
            self._drop_connection()
        log = _log.warning if fault is Fault.TRANSIENT else _log.error
        log("consumer.retry", fault=fault.value, error=f"{type(error).__name__}: {str(error).strip()}"[:500],
            attempt=self._backoff.attempts, retry_in=round(delay, 3))
        if paused:
            self._keep_alive(delay)
        else:
            self._stop.wait(delay)

    def _keep_alive(self, seconds: float) -> None:
        """Wait ``seconds`` while polling with every partition paused, so the group keeps us (and rebalances run)."""
        consumer = self._typed.consumer
        deadline = time.monotonic() + seconds
        while not self._stop.is_set() and (left := deadline - time.monotonic()) > 0:
            consumer.pause(consumer.assignment())
            message = consumer.poll(min(left, 0.5))
            if message is not None and message.error() is None:
                # A partition assigned during the wait delivered a record: put it back for later.
                topic, partition, offset = message.topic(), message.partition(), message.offset()
                if topic is not None and partition is not None and offset is not None:
                    consumer.seek(TopicPartition(topic, partition, offset))
        consumer.resume(consumer.assignment())

    def _report_lag(self) -> None:
        now = time.monotonic()
        if now - self._lag_at < self._settings.lag_interval_seconds:
            return
        self._lag_at = now
        consumer = self._typed.consumer
        assigned = consumer.assignment()
        for tp in assigned:
            try:
                _low, high = consumer.get_watermark_offsets(tp, cached=True)
            except Exception:  # noqa: S112 - no cached watermark yet for a new partition
                continue
            committed = self._committed.get(tp.partition)
            if committed is not None and high >= 0:
                self._metrics.lag.labels(topic=self._topic, partition=str(tp.partition)).set(max(0, high - committed))
                self._lag_reported.add(tp.partition)
        # A partition given to another consumer is its new owner's to report: drop our last, stale value.
        for partition in self._lag_reported - {tp.partition for tp in assigned}:
            self._metrics.lag.remove(self._topic, str(partition))
            self._lag_reported.discard(partition)

    def _log_batch(self, plan: Plan, records: int, seconds: float) -> None:
        _log.info("consumer.batch", records=records, applied_rows=len(plan.rows), rounds=plan.rounds,
                  careful_rounds=plan.careful_rounds,
                  dead_lettered=len(plan.dead), redelivered=plan.already_applied + plan.duplicates,
                  outcomes=plan.tallies, migrations=sorted(plan.tallies), seconds=round(seconds, 4))

    def _connection(self) -> PgConnection:
        if self._conn is None or self._conn.closed:
            self._conn = self._connect()
        return self._conn

    def _rollback(self) -> None:
        if self._conn is not None and not self._conn.closed:
            try:
                self._conn.rollback()
            except psycopg2.Error:
                self._drop_connection()

    def _drop_connection(self) -> None:
        if self._conn is not None:
            with contextlib.suppress(psycopg2.Error):
                self._conn.close()
            self._conn = None
