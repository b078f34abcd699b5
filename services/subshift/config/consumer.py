"""Consumer (apply) settings (``SUBSHIFT_CONSUMER_*``)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["ConsumerSettings"]


class ConsumerSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SUBSHIFT_CONSUMER_", extra="ignore")

    group_id: str = Field(default="subshift-apply", description="Consumer group.")
    batch_size: int = Field(default=5000, ge=1, description="Most records applied in one transaction.")
    metrics_port: int = Field(default=9466, description="Prometheus metrics HTTP port (0: off).")
    poll_timeout_seconds: float = Field(default=0.5, gt=0, description="Longest wait for a batch to fill.")
    group_protocol: Literal["classic", "consumer"] = Field(
        default="classic", description="'classic' with cooperative-sticky assignment, or KIP-848 'consumer'.")
    session_timeout_ms: int = Field(default=10_000, ge=1000, description="Group session timeout (classic).")
    max_poll_interval_ms: int = Field(default=300_000, ge=1000, description="librdkafka max.poll.interval.ms.")
    retry_base_seconds: float = Field(default=0.2, gt=0, description="First backoff after a transient fault.")
    retry_cap_seconds: float = Field(default=10.0, gt=0, description="Longest backoff between retries.")
    lag_interval_seconds: float = Field(default=5.0, gt=0, description="How often consumer lag is measured.")
