"""The dead-letter producer: the original key and value, on the same partition number, with headers that say why.

Dead letters are rare, so each batch of them is produced and then flushed synchronously: the
caller records the dead-letter positions and commits only once the broker has them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from confluent_kafka import KafkaError, Message, Producer

from subshift.deadletter.headers import DeadLetterInfo, build_headers
from subshift.errors import InfrastructureError
from subshift_client.decoded import MessageRef

__all__ = ["DeadLetterProducer", "Letter"]


@dataclass(frozen=True)
class Letter:
    """One record to dead-letter: the original message and what the headers will say."""

    message: MessageRef
    info: DeadLetterInfo


class DeadLetterProducer:
    """Produces to one dead-letter topic (idempotent, ``acks=all``)."""

    def __init__(self, conf: Mapping[str, Any], topic: str) -> None:
        self.topic = topic
        self._producer = Producer({"enable.idempotence": True, "acks": "all", "linger.ms": 5, **conf})

    def send(self, letters: Sequence[Letter], timeout: float = 30.0) -> list[tuple[int, int]]:
        """Produce ``letters`` and wait for the broker; returns each one's (partition, offset), in order.

        Raises:
            InfrastructureError: (retryable) a letter was not acknowledged in time.
        """
        results: list[tuple[int, int] | KafkaError | None] = [None] * len(letters)

        def report(index: int) -> Any:
            def on_delivery(error: KafkaError | None, message: Message) -> None:
                if error is not None:
                    results[index] = error
                else:
                    results[index] = (message.partition() or 0, message.offset() or 0)
            return on_delivery

        for index, letter in enumerate(letters):
            ref = letter.message
            headers: list[tuple[str, str | bytes | None]] = [
                *build_headers(letter.info, timestamp_type=1, original_headers=ref.headers)]
            self._producer.produce(self.topic, key=ref.key, value=ref.value, partition=ref.partition,
                                   headers=headers, on_delivery=report(index))
        self._producer.flush(timeout)
        positions: list[tuple[int, int]] = []
        for result in results:
            if not isinstance(result, tuple):
                raise InfrastructureError(f"dead-letter topic {self.topic}: not acknowledged ({result})",
                                          retryable=True, code=result.name() if result is not None else "TIMEOUT")
            positions.append(result)
        return positions

    def close(self, timeout: float = 10.0) -> None:
        self._producer.flush(timeout)
