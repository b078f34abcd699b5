"""gRPC API settings (``SUBSHIFT_API_*``)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["ApiSettings"]


class ApiSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SUBSHIFT_API_", extra="ignore")

    addr: str = Field(default="127.0.0.1:50051", description="Where the API listens and clients connect.")
    metrics_port: int = Field(default=9464, description="Prometheus metrics HTTP port of the API (0: off).")
    tls_cert: Path | None = Field(default=None, description="PEM certificate; with tls_key turns TLS on.")
    tls_key: Path | None = None
    tls_ca: Path | None = Field(default=None, description="CA bundle clients use to verify the server.")
    max_message_bytes: int = Field(default=4 * 1024 * 1024, description="Largest gRPC message accepted.")
    max_workers: int = Field(default=16, ge=2, description="Threads serving calls (each open watch holds one).")
    migration_cache_seconds: float = Field(
        default=2.0, ge=0,
        description="Longest GetMigration answers a migration from memory; changes drop it at once, through "
                    "PostgreSQL notifications (0: read the database on every call).")
    watch_interval_seconds: float = Field(default=0.5, gt=0, description="How often a watch re-reads its migration.")
    drain_seconds: float = Field(default=10.0, description="Grace period for in-flight calls on SIGTERM.")
