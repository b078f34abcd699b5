"""Kafka client settings: a process's own SASL principal reaches librdkafka, and is never shown."""

from __future__ import annotations

import pytest
from pydantic import SecretStr, ValidationError

from subshift.config import KafkaSettings


def test_a_principal_is_emitted_with_librdkafkas_dotted_keys() -> None:
    kafka = KafkaSettings(bootstrap="k:9092", security_protocol="SASL_PLAINTEXT", sasl_mechanism="SCRAM-SHA-512",
                          sasl_username="relay", sasl_password=SecretStr("pw"))
    assert kafka.as_librdkafka() == {"bootstrap.servers": "k:9092", "security.protocol": "SASL_PLAINTEXT",
                                     "sasl.mechanism": "SCRAM-SHA-512", "sasl.username": "relay",
                                     "sasl.password": "pw"}
    assert "pw" not in repr(kafka)


def test_a_sasl_protocol_without_credentials_is_refused_naming_what_is_missing() -> None:
    with pytest.raises(ValidationError, match="SUBSHIFT_KAFKA_SASL_USERNAME, SUBSHIFT_KAFKA_SASL_PASSWORD"):
        KafkaSettings(security_protocol="SASL_SSL", sasl_mechanism="SCRAM-SHA-512")
