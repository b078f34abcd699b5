"""Outbox relay settings (``SUBSHIFT_RELAY_*``)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["RelaySettings"]


class RelaySettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SUBSHIFT_RELAY_", extra="ignore")

    batch_size: int = Field(default=5000, ge=1, description="Items claimed per batch.")
    metrics_port: int = Field(default=9465, description="Prometheus metrics HTTP port (0: off).")
    idle_seconds: float = Field(default=0.2, gt=0, description="Pause when no migration has work.")
    # Every claim ends with a flush (which sends at once, whatever the linger), so the linger decides how
    # many produce requests carry a claim. Shorter, a claim leaves in many small per-partition batches,
    # each a produce request and a wake-up of the consumers' fetches, and the broker's CPU per record
    # grows (docs/performance/relay-linger-100ms.md).
    linger_ms: int = Field(default=100, ge=0,
                           description="librdkafka linger.ms: how long records wait to fill a batch within a claim "
                                       "(each claim ends with a flush, which sends at once).")
    producer_batch_bytes: int = Field(default=1_048_576, ge=1, description="librdkafka batch.size (bytes).")
    compression: str = Field(default="lz4", description="librdkafka compression.type.")
    delivery_timeout_ms: int = Field(default=30_000, ge=1, description="librdkafka delivery.timeout.ms.")
    retry_base_seconds: float = Field(default=0.2, gt=0, description="First backoff after a failed batch.")
    retry_cap_seconds: float = Field(default=10.0, gt=0, description="Longest backoff between retries.")
    register_schema: bool = Field(default=False, description="Register the event schema if missing (dev only).")
