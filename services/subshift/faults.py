"""Faults and retries, shared by every stage: the one classification of failures, and the backoff between tries.

A failure is transient (retry, blocking) or permanent (dead-letter).

A transient fault may go away if the same work is tried again later: the database is down
or restarting, a lock or serialization conflict, a timeout, the broker or the registry is
unreachable. The consumer retries it with backoff and never commits past it, so one
user's changes keep their order.

A permanent fault can never succeed however often it is tried: bytes that are not our
wire format, an unknown schema id, a record that fails validation. The consumer sends it
to the dead-letter topic and goes on.

Anything we cannot name is treated as transient: retrying a bug forever is loud (the
retry counter and the logs climb) and loses nothing, while dead-lettering a healthy
record because of a bug would silently drop a user's change.

Retries wait with exponential backoff and full jitter (``Backoff``): a uniform draw between zero and the
capped exponential spreads the retries of many processes that failed at the same moment, so a recovering
database or broker is not hit by all of them at once.
"""

from __future__ import annotations

import random
import socket
from dataclasses import dataclass, field
from enum import StrEnum

import psycopg2
import psycopg2.errors
from confluent_kafka import KafkaError, KafkaException
from confluent_kafka.schema_registry.error import SchemaRegistryError

from subshift.errors import ContractError, DataError, InfrastructureError
from subshift_client.errors import KafkaClientError, RegistryUnavailableError
from subshift_client.fast_avro import UndecodableValueError

__all__ = ["Backoff", "Fault", "PermanentRecordError", "classify"]


class Fault(StrEnum):
    TRANSIENT = "transient"
    PERMANENT = "permanent"


class PermanentRecordError(DataError):
    """A record that can never be applied (bad frame, unknown schema, invalid content)."""


# Registry answers that name a fact about the request, not the registry's health.
_REGISTRY_PERMANENT_STATUS = frozenset({400, 404, 409, 422})

# PostgreSQL errors that say the data itself breaks a rule (SQLSTATE class 22 and 23).
_PG_DATA_CLASSES = ("22", "23")


def classify(error: BaseException) -> Fault:
    """Say whether ``error`` may go away on retry (transient) or never will (permanent)."""
    if isinstance(error, (DataError, UndecodableValueError)):
        return Fault.PERMANENT
    if isinstance(error, RegistryUnavailableError):
        # Even a refusal (bad credentials) is fixed by an operator; the records are not at fault.
        return Fault.TRANSIENT
    if isinstance(error, KafkaClientError):
        return Fault.TRANSIENT
    if isinstance(error, InfrastructureError):
        return Fault.TRANSIENT if error.retryable else Fault.PERMANENT
    if isinstance(error, ContractError):
        # A broken configuration is fixed by an operator, not by dropping records.
        return Fault.TRANSIENT
    if isinstance(error, SchemaRegistryError):
        status = error.http_status_code
        return Fault.PERMANENT if status in _REGISTRY_PERMANENT_STATUS else Fault.TRANSIENT
    if isinstance(error, KafkaException):
        kafka_error = error.args[0] if error.args else None
        if isinstance(kafka_error, KafkaError) and kafka_error.code() in (
            KafkaError._VALUE_DESERIALIZATION,
            KafkaError._KEY_DESERIALIZATION,
        ):
            return Fault.PERMANENT
        return Fault.TRANSIENT
    if isinstance(error, psycopg2.Error):
        code = error.pgcode or ""
        return Fault.PERMANENT if code[:2] in _PG_DATA_CLASSES else Fault.TRANSIENT
    if isinstance(error, (EOFError, UnicodeDecodeError)):
        # What a decoder raises on bytes that are not a record of the schema.
        return Fault.PERMANENT
    if isinstance(error, (TimeoutError, ConnectionError, socket.error)):
        return Fault.TRANSIENT
    return Fault.TRANSIENT


@dataclass
class Backoff:
    """Delays for attempt 1, 2, 3 …: ``uniform(floor, min(cap, base * 2**(attempt-1)))``.

    ``floor`` keeps a retry loop from ever spinning (no zero delay).
    """

    base_seconds: float = 0.1
    cap_seconds: float = 10.0
    floor_seconds: float = 0.01
    rng: random.Random = field(default_factory=random.Random)
    attempts: int = 0

    def next_delay(self) -> float:
        """Count one more failed attempt and return how long to wait before the next."""
        self.attempts += 1
        ceiling = min(self.cap_seconds, self.base_seconds * 2 ** min(self.attempts - 1, 30))
        ceiling = max(ceiling, self.floor_seconds)
        return self.rng.uniform(self.floor_seconds, ceiling)

    def reset(self) -> None:
        """Forget past failures (call after a success)."""
        self.attempts = 0
