"""Reading the dead-letter topic: every record up to the end as it is now, with what its headers say."""

from __future__ import annotations

import datetime
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from confluent_kafka import OFFSET_BEGINNING, Consumer, KafkaError, KafkaException, TopicPartition

from subshift.deadletter.headers import DeadLetterInfo, parse_headers
from subshift.errors import InfrastructureError

__all__ = ["DeadLetterRecord", "read_dead_letters"]

_WATERMARK_TIMEOUT = 15.0
"""Seconds to keep asking for a partition's watermarks through retriable errors such as a leader election."""


@dataclass(frozen=True)
class DeadLetterRecord:
    partition: int
    offset: int
    dead_lettered_at: datetime.datetime | None
    key: bytes | None
    value: bytes | None
    headers: tuple[tuple[str, bytes], ...]
    info: DeadLetterInfo


def read_dead_letters(consumer: Consumer, topic: str, partitions: int, *, start: Mapping[int, int] | None = None,
                      timeout: float = 30.0) -> Iterator[DeadLetterRecord]:
    """Records of ``topic`` from ``start`` (default: the beginning) to the high watermark seen on entry.

    Raises:
        InfrastructureError: (retryable) Kafka did not answer in time.
    """
    ends: dict[int, int] = {}
    first: dict[int, int] = {}
    for partition in range(partitions):
        low, high = _watermarks(consumer, TopicPartition(topic, partition), timeout=_WATERMARK_TIMEOUT)
        begin = max(low, (start or {}).get(partition, OFFSET_BEGINNING))
        if high > max(begin, 0):
            ends[partition], first[partition] = high, begin
    if not ends:
        return
    consumer.assign([TopicPartition(topic, p, o) for p, o in first.items()])
    deadline = time.monotonic() + timeout
    while ends:
        if time.monotonic() > deadline:
            raise InfrastructureError(f"reading {topic}: timed out with {len(ends)} partitions unread",
                                      retryable=True)
        message = consumer.poll(0.5)
        if message is None:
            continue
        problem = message.error()
        if problem is not None:
            if problem.code() == KafkaError._PARTITION_EOF:
                continue
            raise InfrastructureError(f"reading {topic}: {problem.str()}", retryable=problem.retriable())
        partition, offset = message.partition() or 0, message.offset() or 0
        if partition not in ends:
            continue
        if offset + 1 >= ends[partition]:
            del ends[partition]
        yield _record(message)


_LEADER_CHANGING = frozenset({KafkaError.NOT_LEADER_FOR_PARTITION, KafkaError.LEADER_NOT_AVAILABLE,
                              KafkaError._TRANSPORT})
"""Watermark errors that pass once the partition has a leader again (librdkafka does not flag them retriable here)."""


def _watermarks(consumer: Consumer, partition: TopicPartition, *, timeout: float) -> tuple[int, int]:
    """The partition's low and high watermarks, asking again while Kafka answers with a retriable error.

    A leader election (a broker restarting, a topic just created) answers "not leader" for a moment.
    """
    deadline = time.monotonic() + timeout
    pause = 0.1
    while True:
        try:
            low, high = consumer.get_watermark_offsets(partition, timeout=max(deadline - time.monotonic(), 1.0))
            return low, high
        except KafkaException as error:
            problem = error.args[0] if error.args and isinstance(error.args[0], KafkaError) else None
            if problem is None or problem.code() not in _LEADER_CHANGING or time.monotonic() + pause > deadline:
                raise InfrastructureError(f"reading {partition.topic} partition {partition.partition}: {error}",
                                          retryable=True) from error
        time.sleep(pause)
        pause = min(pause * 2, 2.0)


def _record(message: Any) -> DeadLetterRecord:
    kind, stamp = message.timestamp()
    headers = tuple((k, v or b"") for k, v in (message.headers() or ()))
    return DeadLetterRecord(
        partition=message.partition(), offset=message.offset(),
        dead_lettered_at=datetime.datetime.fromtimestamp(stamp / 1000, datetime.UTC) if kind and stamp >= 0 else None,
        key=message.key(), value=message.value(), headers=headers, info=parse_headers(headers),
    )
