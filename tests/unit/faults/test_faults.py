"""The one transient-vs-permanent classification, case by case."""

from __future__ import annotations

import psycopg2
import psycopg2.errors
import pytest
from confluent_kafka import KafkaError, KafkaException
from confluent_kafka.schema_registry.error import SchemaRegistryError

from subshift.errors import ContractError, DataError, InfrastructureError
from subshift.faults import Fault, PermanentRecordError, classify
from subshift_client.errors import KafkaClientError, RegistryUnavailableError
from subshift_client.fast_avro import UndecodableValueError

CASES = [
    pytest.param(psycopg2.OperationalError("server closed the connection unexpectedly"), Fault.TRANSIENT,
                 id="database-connection-lost"),
    pytest.param(psycopg2.InterfaceError("connection already closed"), Fault.TRANSIENT, id="database-closed"),
    pytest.param(psycopg2.errors.DeadlockDetected(), Fault.TRANSIENT, id="deadlock"),
    pytest.param(psycopg2.errors.QueryCanceled(), Fault.TRANSIENT, id="statement-timeout"),
    pytest.param(psycopg2.errors.AdminShutdown(), Fault.TRANSIENT, id="database-shutting-down"),
    pytest.param(KafkaException(KafkaError(KafkaError._TRANSPORT)), Fault.TRANSIENT, id="broker-transport"),
    pytest.param(KafkaException(KafkaError(KafkaError._MSG_TIMED_OUT)), Fault.TRANSIENT, id="delivery-timeout"),
    pytest.param(KafkaException(KafkaError(KafkaError._VALUE_DESERIALIZATION)), Fault.PERMANENT,
                 id="kafka-value-deserialization"),
    pytest.param(SchemaRegistryError(404, 40403, "Schema not found"), Fault.PERMANENT, id="registry-unknown-id"),
    pytest.param(SchemaRegistryError(503, 50003, "unavailable"), Fault.TRANSIENT, id="registry-unavailable"),
    pytest.param(SchemaRegistryError(-1, -1, "connection refused"), Fault.TRANSIENT, id="registry-unreachable"),
    pytest.param(ConnectionRefusedError(), Fault.TRANSIENT, id="connection-refused"),
    pytest.param(TimeoutError(), Fault.TRANSIENT, id="timeout"),
    pytest.param(PermanentRecordError("wrong magic byte 0x07"), Fault.PERMANENT, id="wrong-magic"),
    pytest.param(DataError("current_offer equals target_offer"), Fault.PERMANENT, id="validation"),
    pytest.param(EOFError(), Fault.PERMANENT, id="truncated-avro"),
    pytest.param(UnicodeDecodeError("utf-8", b"\xff", 0, 1, "invalid start byte"), Fault.PERMANENT,
                 id="invalid-utf8-string"),
    pytest.param(InfrastructureError("registry down", retryable=True), Fault.TRANSIENT, id="infra-retryable"),
    pytest.param(InfrastructureError("bad credentials", retryable=False), Fault.PERMANENT, id="infra-final"),
    pytest.param(ContractError("topic missing from manifest"), Fault.TRANSIENT, id="configuration"),
    pytest.param(UndecodableValueError("unknown_schema_id", "schema id 99 is not in the registry", 99),
                 Fault.PERMANENT, id="unknown-schema-id"),
    pytest.param(UndecodableValueError("wrong_magic_byte", "first byte is 7"), Fault.PERMANENT, id="bad-frame"),
    pytest.param(RegistryUnavailableError("registry unreachable", retryable=True), Fault.TRANSIENT,
                 id="registry-down"),
    pytest.param(RegistryUnavailableError("401", retryable=False, status=401), Fault.TRANSIENT,
                 id="registry-refuses-credentials"),
    pytest.param(KafkaClientError("commit failed", code="REBALANCE_IN_PROGRESS", retryable=True), Fault.TRANSIENT,
                 id="kafka-client"),
    pytest.param(RuntimeError("a bug"), Fault.TRANSIENT, id="unknown-is-never-dead-lettered"),
]


@pytest.mark.parametrize(("error", "expected"), CASES)
def test_classification(error: BaseException, expected: Fault) -> None:
    assert classify(error) is expected
