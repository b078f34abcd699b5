"""Kafka connection settings (``SUBSHIFT_KAFKA_*``)."""

from __future__ import annotations

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["KafkaSettings"]


class KafkaSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SUBSHIFT_KAFKA_", extra="ignore")

    bootstrap: str = Field(default="127.0.0.1:9092", description="Kafka bootstrap servers.")
    security_protocol: str = Field(default="PLAINTEXT", description="librdkafka security.protocol.")
    sasl_mechanism: str | None = Field(default=None, description="librdkafka sasl.mechanism.")
    sasl_username: str | None = None
    sasl_password: SecretStr | None = None
    topic_prefix: str = Field(
        default="",
        description="Prefix added to every manifest topic name (isolated test or tenant topics); empty in production.",
    )

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
