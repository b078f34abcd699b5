"""Kafka connection settings (``SUBSHIFT_KAFKA_*``)."""

from __future__ import annotations

from typing import Self

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["KafkaSettings"]


class KafkaSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SUBSHIFT_KAFKA_", extra="ignore")

    bootstrap: str = Field(default="127.0.0.1:9092", description="Kafka bootstrap servers.")
    security_protocol: str = Field(
        default="PLAINTEXT", description="librdkafka security.protocol (SASL_SSL or SASL_PLAINTEXT to authenticate)."
    )
    sasl_mechanism: str | None = Field(default=None, description="librdkafka sasl.mechanism (e.g. SCRAM-SHA-512).")
    sasl_username: str | None = Field(
        default=None, description="This process's own Kafka principal (relay, consumer, replay: one each, for ACLs)."
    )
    sasl_password: SecretStr | None = Field(default=None, description="That principal's password.")
    topic_prefix: str = Field(
        default="",
        description="Prefix added to every manifest topic name (isolated test or tenant topics); empty in production.",
    )

    @model_validator(mode="after")
    def _sasl_is_complete(self) -> Self:
        # A SASL protocol without credentials would only fail later, at the broker, as a vague timeout.
        if self.security_protocol.upper().startswith("SASL_"):
            missing = [name for name, value in (("SUBSHIFT_KAFKA_SASL_MECHANISM", self.sasl_mechanism),
                                                ("SUBSHIFT_KAFKA_SASL_USERNAME", self.sasl_username),
                                                ("SUBSHIFT_KAFKA_SASL_PASSWORD", self.sasl_password)) if not value]
            if missing:
                raise ValueError(f"security protocol {self.security_protocol} needs {', '.join(missing)}")
        return self

    def as_librdkafka(self) -> dict[str, str]:
        """The connection part of a librdkafka configuration, with dotted keys."""
        conf = {"bootstrap.servers": self.bootstrap, "security.protocol": self.security_protocol}
        if self.sasl_mechanism:
            conf["sasl.mechanism"] = self.sasl_mechanism
        if self.sasl_username:
            conf["sasl.username"] = self.sasl_username
        if self.sasl_password:
            conf["sasl.password"] = self.sasl_password.get_secret_value()
        return conf
