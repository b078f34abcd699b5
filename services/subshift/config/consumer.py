"""Consumer (apply) settings (``SUBSHIFT_CONSUMER_*``)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["ConsumerSettings"]


class ConsumerSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SUBSHIFT_CONSUMER_", extra="ignore")

    group_id: str = Field(default="subshift-apply", description="Consumer group.")
    batch_size: int = Field(default=5000, ge=1, description="Most records applied in one transaction.")
    metrics_port: int = Field(default=9466, description="Prometheus metrics HTTP port (0: off).")
