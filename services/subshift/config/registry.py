"""Schema Registry settings (``SUBSHIFT_REGISTRY_*``)."""

from __future__ import annotations

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["RegistrySettings"]


class RegistrySettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SUBSHIFT_REGISTRY_", extra="ignore")

    url: str = Field(
        default="http://127.0.0.1:8081/apis/ccompat/v7",
        description="Confluent-compatible Schema Registry base URL.",
    )
    basic_auth: SecretStr | None = Field(default=None, description="'user:password' for the registry.")
    timeout_seconds: float = Field(
        default=10.0, gt=0, description="Longest wait for one registry request (the client's default is none)."
    )

    def as_client_conf(self) -> dict[str, str | float]:
        """Configuration for confluent-kafka's ``SchemaRegistryClient``."""
        conf: dict[str, str | float] = {"url": self.url, "timeout": self.timeout_seconds}
        if self.basic_auth:
            conf["basic.auth.user.info"] = self.basic_auth.get_secret_value()
        return conf
