"""Kafka client settings: a process's own SASL principal reaches librdkafka, and is never shown."""

from __future__ import annotations

import pytest
from pydantic import SecretStr

from subshift.config import KafkaSettings
from subshift.errors import ContractError


def test_a_principal_is_emitted_with_librdkafkas_dotted_keys() -> None:
    kafka = KafkaSettings(bootstrap="k:9092", security_protocol="SASL_PLAINTEXT", sasl_mechanism="SCRAM-SHA-512",
                          sasl_username="relay", sasl_password=SecretStr("pw"))
    assert kafka.as_librdkafka() == {"bootstrap.servers": "k:9092", "security.protocol": "SASL_PLAINTEXT",
                                     "sasl.mechanism": "SCRAM-SHA-512", "sasl.username": "relay",
                                     "sasl.password": "pw"}
    assert "pw" not in repr(kafka)


def test_a_sasl_protocol_without_credentials_is_refused_naming_what_is_missing() -> None:
    kafka = KafkaSettings(security_protocol="SASL_SSL", sasl_mechanism="SCRAM-SHA-512")  # loads: the API needs none
    with pytest.raises(ContractError, match="SUBSHIFT_KAFKA_SASL_USERNAME, SUBSHIFT_KAFKA_SASL_PASSWORD"):
        kafka.as_librdkafka()


def test_a_private_ca_reaches_librdkafka() -> None:
    kafka = KafkaSettings(ssl_ca_location="/etc/kafka-ca/ca.crt")
    assert kafka.as_librdkafka()["ssl.ca.location"] == "/etc/kafka-ca/ca.crt"
