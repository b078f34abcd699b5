"""Local stack settings (``SUBSHIFT_STACK_*``): the servers ``subshift stack`` runs on this machine.

The client-side sections (``kafka``, ``registry``, ``database``) say where to connect; this section says
what to start. Their defaults agree, and ``subshift stack env`` prints the client variables that match
whatever is configured here.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["StackSettings"]


def _default_cache_dir() -> Path:
    return Path.home() / ".cache" / "subshift"


class StackSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SUBSHIFT_STACK_", extra="ignore")

    host: str = Field(default="127.0.0.1", description="Loopback address every local server binds to.")
    cache_dir: Path = Field(
        default_factory=_default_cache_dir, description="Downloaded Kafka and registry artifacts (shared)."
    )
    start_timeout: float = Field(default=180.0, gt=0, description="Seconds a server may take to become healthy.")
    stop_timeout: float = Field(default=30.0, gt=0, description="Seconds to wait after SIGTERM before SIGKILL.")
    java_home: Path | None = Field(default=None, description="JDK for Kafka (default: `java` on PATH).")

    kafka_version: str = Field(default="4.4.0", description="Apache Kafka release from Maven Central.")
    log4j_version: str = Field(default="2.26.1", description="log4j2 release that writes the broker log.")
    kafka_port: int = Field(default=9092, ge=1, le=65535, description="Client port of broker 1 (broker n: +n-1).")
    kafka_controller_port: int = Field(
        default=19092, ge=1, le=65535, description="KRaft controller port of node 1 (node n: +n-1)."
    )
    kafka_brokers: int = Field(default=1, ge=1, le=5, description="Combined broker+controller nodes.")
    kafka_heap: str = Field(default="1g", description="-Xmx of each broker JVM.")
    kafka_auth: Literal["none", "scram"] = Field(
        default="none",
        description="none: PLAINTEXT, anyone on the machine may read and write. scram: SASL/SCRAM-SHA-512 with one "
        "principal per process (admin, relay, consumer, replay; passwords kept in the state dir) and ACLs "
        "(StandardAuthorizer) that let only the relay and the replay tool write user-offers.",
    )

    registry_version: str = Field(default="3.3.3", description="Apicurio Registry release from Maven Central.")
    registry_port: int = Field(default=8081, ge=1, le=65535, description="Registry HTTP port (APIs).")
    registry_management_port: int = Field(
        default=8091, ge=1, le=65535, description="Registry management port (health, metrics)."
    )
    registry_heap: str = Field(default="512m", description="-Xmx of the registry JVM.")
    registry_java_home: Path | None = Field(
        default=None, description="JDK 21+ for the registry (default: the newest JDK 21+ found)."
    )

    postgres_port: int = Field(default=5433, ge=1, le=65535, description="PostgreSQL port.")
    postgres_bin_dir: Path | None = Field(
        default=None, description="Directory of initdb/pg_ctl (default: newest /usr/lib/postgresql/*/bin)."
    )
    postgres_shared_buffers: str = Field(
        default="1GB", description="PostgreSQL shared_buffers (the packaged 128MB makes bulk runs read from disk)."
    )
    postgres_user: str = Field(default="subshift", description="Role (superuser of the local cluster).")
    postgres_password: SecretStr = Field(default=SecretStr("subshift"), description="Password of that role.")
    postgres_database: str = Field(default="subshift", description="Subshift's database.")
    registry_database: str = Field(default="registry", description="The registry's own database.")
