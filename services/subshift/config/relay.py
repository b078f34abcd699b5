"""Outbox relay settings (``SUBSHIFT_RELAY_*``)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["RelaySettings"]


class RelaySettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SUBSHIFT_RELAY_", extra="ignore")

    batch_size: int = Field(default=5000, ge=1, description="Items claimed per batch.")
    metrics_port: int = Field(default=9465, description="Prometheus metrics HTTP port (0: off).")
