"""``subshift dlq``: list dead letters, and replay them onto the original topic after a fix.

A replay is resumable and idempotent:
- it reads the dead-letter topic with a consumer group of its own per filter and commits past
  what it has handled, so running it again continues where it stopped;
- dead-lettered items are made pending again (and committed) before their events are produced,
  so the consumer applies a replayed event once; a duplicate replay is a redelivery, a no-op;
- a finished migration with errors is reopened (APPLYING until the replayed items have outcomes);
  a cancelled or failed one keeps its items as they are, so its replayed events change nothing
  (``subshift.lifecycle.replayed``);
- each dead-letter record is replayed at most once, whatever filter chose it: its position is
  claimed in ``dead_letter_replays`` (``ledger``) in the transaction that requeues its item,
  so a second filter (another group, reading from the start) skips it;
- each replayed record carries ``subshift-replay-count``; a record dead-lettered again after
  ``max_replays`` replays is not replayed any more (the loop guard: with the ledger, one record
  has at most ``max_replays`` copies);
- every replay (not a dry run) writes an audit entry naming who ran it (``by``: the CLI works on
  the database directly, as an admin tool, so the name is given on its command line).
"""

from __future__ import annotations

import datetime
import hashlib
import json
import uuid
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import psycopg2
from confluent_kafka import Consumer, KafkaError, KafkaException, Message, Producer, TopicPartition

from subshift.config import Settings
from subshift.db.connect import PgConnection, connect
from subshift.deadletter.headers import replay_headers
from subshift.deadletter.ledger import Position, claim, mark_produced, replayed
from subshift.deadletter.reader import DeadLetterRecord, read_dead_letters
from subshift.errors import InfrastructureError
from subshift.lifecycle import requeue_dead_letters
from subshift.messaging.topic_identity import TopicIdentityLookup
from subshift.messaging.topic_names import dead_letter_topic, user_offers_topic

__all__ = ["DeadLetterFilter", "ReplayReport", "list_dead_letters", "replay_dead_letters"]


@dataclass(frozen=True)
class DeadLetterFilter:
    migration_id: uuid.UUID | None = None
    reason: str | None = None
    since: datetime.datetime | None = None

    def matches(self, record: DeadLetterRecord) -> bool:
        info = record.info
        if self.migration_id is not None and info.migration_id != str(self.migration_id):
            return False
        if self.reason is not None and info.reason != self.reason:
            return False
        return not (self.since is not None and (record.dead_lettered_at is None
                                                 or record.dead_lettered_at < self.since))

    def key(self) -> str:
        text = json.dumps([str(self.migration_id), self.reason, self.since.isoformat() if self.since else None])
        return hashlib.sha256(text.encode()).hexdigest()[:12]


@dataclass
class ReplayReport:
    """What a replay read and did; a dry run's ``replayed`` is what it would replay."""

    group_id: str
    dry_run: bool
    read: int = 0
    matched: int = 0
    replayed: int = 0
    requeued_items: int = 0
    already_replayed: int = 0
    exhausted: int = 0
    by_reason: Counter[str] = field(default_factory=Counter)

    def as_dict(self) -> dict[str, Any]:
        """For output: a dry run says ``would_replay`` (it replayed nothing) and has no requeued items."""
        done: dict[str, Any] = ({"would_replay": self.replayed} if self.dry_run
                                else {"replayed": self.replayed, "requeued_items": self.requeued_items})
        return {"group_id": self.group_id, "dry_run": self.dry_run, "read": self.read, "matched": self.matched,
                **done, "already_replayed": self.already_replayed, "exhausted": self.exhausted,
                "by_reason": dict(self.by_reason)}


def _consumer(settings: Settings, group_id: str) -> Consumer:
    return Consumer({**settings.kafka.as_librdkafka(), "group.id": group_id, "enable.auto.commit": False,
                     "auto.offset.reset": "earliest", "client.id": "subshift-dlq"})


def list_dead_letters(settings: Settings, where: DeadLetterFilter) -> list[DeadLetterRecord]:
    """Every dead letter matching ``where``, oldest first per partition.

    Raises:
        InfrastructureError: Kafka could not be read.
    """
    spec = user_offers_topic(settings.kafka)
    consumer = _consumer(settings, f"{settings.consumer.group_id}-dlq-list")
    try:
        return [r for r in read_dead_letters(consumer, dead_letter_topic(spec), spec.partitions) if where.matches(r)]
    finally:
        consumer.close()


def replay_dead_letters(settings: Settings, where: DeadLetterFilter, *, dry_run: bool, by: str,
                        max_replays: int = 3) -> ReplayReport:
    """Republish the dead letters matching ``where`` onto the original topic and partition (see the module doc);
    ``by`` names who runs it (audit and ledger).

    Raises:
        InfrastructureError: Kafka or the database failed; nothing past the failure was committed.
    """
    report = ReplayReport(group_id=f"{settings.consumer.group_id}-dlq-replay-{where.key()}", dry_run=dry_run)
    consumer = _consumer(settings, report.group_id)
    try:
        return _replay(settings, consumer, report, where, dry_run=dry_run, max_replays=max_replays, by=by)
    except KafkaException as error:
        raise InfrastructureError(f"dead-letter replay: Kafka failed: {error}; run it again, it resumes",
                                  retryable=True) from error
    except psycopg2.Error as error:
        raise InfrastructureError(f"dead-letter replay: the database failed: {str(error).strip()}; "
                                  "run it again, it resumes", retryable=True) from error
    finally:
        consumer.close()


def _replay(settings: Settings, consumer: Consumer, report: ReplayReport, where: DeadLetterFilter, *,
            dry_run: bool, max_replays: int, by: str) -> ReplayReport:
    spec = user_offers_topic(settings.kafka)
    dlt = dead_letter_topic(spec)
    committed = consumer.committed([TopicPartition(dlt, p) for p in range(spec.partitions)], timeout=10)
    start = {tp.partition: tp.offset for tp in committed if tp.offset >= 0}
    records = list(read_dead_letters(consumer, dlt, spec.partitions, start=start))
    report.read = len(records)
    candidates: list[DeadLetterRecord] = []
    for record in records:
        if not where.matches(record) or record.info.original_topic != spec.name:
            continue
        report.matched += 1
        report.by_reason[record.info.reason] += 1
        if record.info.replay_count >= max_replays:
            report.exhausted += 1
        else:
            candidates.append(record)
    identity = TopicIdentityLookup(settings.kafka.as_librdkafka())(dlt)
    topic_id = identity.topic_id if identity is not None else ""
    conn = connect(settings.database, application_name="subshift-dlq")
    try:
        done = replayed(conn, topic_id, [_position(dlt, r) for r in candidates])
        conn.rollback()
        chosen = [r for r in candidates if _position(dlt, r) not in done]
        report.already_replayed = len(candidates) - len(chosen)
        if dry_run:
            report.replayed = len(chosen)
            return report
        chosen = _claim_requeue_and_audit(conn, dlt, topic_id, chosen, where, report, by=by)
        _produce(settings, spec.name, chosen)
        mark_produced(conn, topic_id, [_position(dlt, r) for r in chosen])
    finally:
        conn.close()
    report.replayed = len(chosen)
    if records:
        ends: dict[int, int] = {}
        for record in records:
            ends[record.partition] = max(ends.get(record.partition, 0), record.offset + 1)
        consumer.commit(offsets=[TopicPartition(dlt, p, o) for p, o in ends.items()], asynchronous=False)
    return report


def _position(topic: str, record: DeadLetterRecord) -> Position:
    return (topic, record.partition, record.offset)


def _claim_requeue_and_audit(conn: PgConnection, dlt: str, topic_id: str, chosen: list[DeadLetterRecord],
                             where: DeadLetterFilter, report: ReplayReport, *, by: str) -> list[DeadLetterRecord]:
    """In one transaction: claim ``chosen`` in the ledger, requeue the claimed ones' items, audit; commit.
    The claimed records (another replay may have produced some meanwhile)."""
    mine = claim(conn, topic_id, [(_position(dlt, r), r.info.replay_count) for r in chosen], by=by)
    claimed = [r for r in chosen if _position(dlt, r) in mine]
    report.already_replayed += len(chosen) - len(claimed)
    items = [(uuid.UUID(r.info.migration_id), r.info.row_number) for r in claimed
             if r.info.migration_id is not None and r.info.row_number is not None]
    report.requeued_items = requeue_dead_letters(conn, items)
    with conn.cursor() as cur:
        cur.execute(
            "INSERT INTO audit_log (subject, method, migration_id, outcome, detail) VALUES (%s, %s, %s, %s, %s)",
            (by, "dlq.replay", str(where.migration_id) if where.migration_id else None, "ok",
             json.dumps({"group_id": report.group_id, "replaying": len(claimed),
                         "requeued_items": report.requeued_items, "already_replayed": report.already_replayed,
                         "exhausted": report.exhausted, "reason": where.reason,
                         "since": where.since.isoformat() if where.since else None})),
        )
    conn.commit()  # before producing: the consumer must find the items pending
    return claimed


def _produce(settings: Settings, topic: str, chosen: list[DeadLetterRecord]) -> None:
    producer = Producer({**settings.kafka.as_librdkafka(), "enable.idempotence": True, "acks": "all",
                         "client.id": "subshift-dlq"})
    failures: list[str] = []

    def on_delivery(error: KafkaError | None, _message: Message) -> None:
        if error is not None:
            failures.append(error.name())

    for record in chosen:
        headers: list[tuple[str, str | bytes | None]] = [
            *replay_headers(record.headers, record.info.replay_count + 1)]
        producer.produce(topic, key=record.key, value=record.value, partition=record.info.original_partition,
                         headers=headers, on_delivery=on_delivery)
        producer.poll(0)
    left = producer.flush(30)
    if failures or left:
        raise InfrastructureError(
            f"replay to {topic}: {len(failures) + left} records not acknowledged ({', '.join(set(failures))}); "
            "run the replay again, it resumes where it stopped", retryable=True)
