"""Kafka connection settings (``SUBSHIFT_KAFKA_*``)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from subshift.errors import ContractError

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
    ssl_ca_location: Path | None = Field(
        default=None, description="CA bundle that signed the brokers' certificates (SASL_SSL; default: the system's)."
    )
    topic_prefix: str = Field(
        default="",
        description="Prefix added to every manifest topic name (isolated test or tenant topics); empty in production.",
    )

    def as_librdkafka(self) -> dict[str, str]:
        """The connection part of a librdkafka configuration, with dotted keys.

        Raises:
            ContractError: a SASL protocol without a mechanism, user name or password (checked here, where a
                process connects, not when settings load: a process that never talks to Kafka, the API,
                shares the deployment's protocol setting without a principal of its own).
        """
        if self.security_protocol.upper().startswith("SASL_"):
            missing = [name for name, value in (("SUBSHIFT_KAFKA_SASL_MECHANISM", self.sasl_mechanism),
                                                ("SUBSHIFT_KAFKA_SASL_USERNAME", self.sasl_username),
                                                ("SUBSHIFT_KAFKA_SASL_PASSWORD", self.sasl_password)) if not value]
            if missing:
                raise ContractError(f"Kafka security protocol {self.security_protocol} needs {', '.join(missing)} "
                                    "(this process's own principal)")
        conf = {"bootstrap.servers": self.bootstrap, "security.protocol": self.security_protocol}
        if self.sasl_mechanism:
            conf["sasl.mechanism"] = self.sasl_mechanism
        if self.sasl_username:
            conf["sasl.username"] = self.sasl_username
        if self.sasl_password:
            conf["sasl.password"] = self.sasl_password.get_secret_value()
        if self.ssl_ca_location is not None:
            conf["ssl.ca.location"] = str(self.ssl_ca_location)
        return conf
