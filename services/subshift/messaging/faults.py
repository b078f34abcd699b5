"""The one classification of failures: transient (retry, blocking) or permanent (dead-letter).

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
"""

from __future__ import annotations

import socket
from enum import StrEnum

import psycopg2
import psycopg2.errors
from confluent_kafka import KafkaError, KafkaException
from confluent_kafka.schema_registry.error import SchemaRegistryError

from subshift.errors import ContractError, DataError, InfrastructureError
from subshift_client.errors import KafkaClientError, RegistryUnavailableError
from subshift_client.fast_avro import UndecodableValueError

__all__ = ["Fault", "PermanentRecordError", "classify"]


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
