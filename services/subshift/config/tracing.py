"""OpenTelemetry tracing settings (``SUBSHIFT_TRACING_*``).

Tracing is off by default: with ``exporter = "none"`` no tracer provider is
installed and every span is the API's free no-op.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["TracingSettings"]


class TracingSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SUBSHIFT_TRACING_", extra="ignore")

    exporter: Literal["none", "otlp"] = Field(
        default="none", description="Where spans go: nowhere (tracing off) or an OTLP/gRPC collector."
    )
    otlp_endpoint: str = Field(
        default="http://127.0.0.1:4317", description="OTLP/gRPC collector endpoint (exporter = otlp)."
    )
    otlp_insecure: bool = Field(default=True, description="Talk to the collector without TLS.")
    service_name: str = Field(
        default="subshift", description="Prefix of each process's service.name (subshift-api, ...)."
    )
    sample_ratio: float = Field(
        default=1.0, ge=0.0, le=1.0, description="Share of new traces recorded; children follow their parent."
    )
