"""gRPC API settings (``SUBSHIFT_API_*``).

The limits keep the API serving under abuse: every open watch or upload holds a worker thread,
so their caps (per caller and overall) must leave threads free for short calls; ``_fits`` checks
that at start-up.
"""

from __future__ import annotations

from pathlib import Path
from typing import Self

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["ApiSettings"]


class ApiSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SUBSHIFT_API_", extra="ignore")

    addr: str = Field(default="127.0.0.1:50051", description="Where the API listens and clients connect.")
    health_addr: str | None = Field(
        default=None,
        description="Where a server of its own answers only gRPC health checks (probes), so health answers "
                    "whatever MigrationService is doing (default: the API's host, its port + 1; port 0 when "
                    "the API's port is 0; 'off': no such server).")
    metrics_port: int = Field(default=9464, description="Prometheus metrics HTTP port of the API (0: off).")
    tls_cert: Path | None = Field(default=None, description="PEM certificate; with tls_key turns TLS on.")
    tls_key: Path | None = None
    tls_ca: Path | None = Field(default=None, description="CA bundle clients use to verify the server.")
    allow_plaintext: bool = Field(
        default=False,
        description="In production mode, serve without TLS (only behind a mesh that terminates TLS itself).")
    max_message_bytes: int = Field(default=4 * 1024 * 1024, description="Largest gRPC message accepted.")
    max_workers: int = Field(default=24, ge=4, description="Threads serving calls (each open watch holds one).")
    request_message_seconds: float = Field(
        default=2.0, gt=0, le=60,
        description="A call whose request message has not arrived this long after its headers is dropped.")
    upload_idle_seconds: float = Field(
        default=30.0, gt=0, description="An upload whose next CSV chunk has not arrived this long is dropped.")
    max_calls_per_caller: int = Field(
        default=16, ge=1, description="Calls one token subject may have open at once (of every method).")
    max_watches: int = Field(default=8, ge=1, description="Open WatchMigration streams, all callers together.")
    max_watches_per_caller: int = Field(default=3, ge=1, description="Open WatchMigration streams per caller.")
    max_uploads: int = Field(default=4, ge=1, description="CreateMigration uploads in progress, all callers together.")
    max_uploads_per_caller: int = Field(default=2, ge=1, description="CreateMigration uploads in progress per caller.")
    watch_max_seconds: float = Field(
        default=900.0, gt=0,
        description="Longest a watch stays open; it then ends with UNAVAILABLE and the client watches again.")
    max_concurrent_streams: int = Field(default=64, ge=1, description="HTTP/2 streams one connection may open.")
    keepalive_seconds: float = Field(default=60.0, gt=0, description="Server pings an idle connection this often.")
    keepalive_timeout_seconds: float = Field(default=20.0, gt=0, description="A ping unanswered this long closes.")
    min_client_ping_seconds: float = Field(
        default=30.0, gt=0, description="Clients pinging more often than this are disconnected (ping strikes).")
    max_connection_age_seconds: float = Field(
        default=300.0, gt=0,
        description="A connection is asked to close (GOAWAY) after this long (gRPC adds +/-10 % jitter, so "
                    "clients do not reconnect together). The client then opens a new one: a dns:/// client "
                    "re-resolves and finds replicas added since, a client of one virtual address (a "
                    "ClusterIP Service) may land on another pod. Without it a long-lived client stays on "
                    "the replicas it first met.")
    max_connection_age_grace_seconds: float = Field(
        default=600.0, ge=0,
        description="Calls still open on a closing connection get this long to finish; new calls go to the "
                    "new connection. As long as the clients' upload and export deadline (600 s), so a "
                    "connection's age never cuts an upload; a watch cut by it resumes.")
    max_connection_idle_seconds: float = Field(
        default=600.0, gt=0, description="A connection without calls for this long is closed.")
    migration_cache_seconds: float = Field(
        default=2.0, ge=0,
        description="Longest GetMigration answers a migration from memory; changes drop it at once, through "
                    "PostgreSQL notifications (0: read the database on every call).")
    watch_interval_seconds: float = Field(default=0.5, gt=0, description="How often a watch re-reads its migration.")
    drain_seconds: float = Field(default=10.0, description="Grace period for in-flight calls on SIGTERM.")

    @model_validator(mode="after")
    def _fits(self) -> Self:
        # Watches and uploads hold threads for minutes; short calls (and the admin) need the rest.
        if self.max_watches + self.max_uploads > self.max_workers - 2:
            raise ValueError(f"max_watches ({self.max_watches}) + max_uploads ({self.max_uploads}) must leave at "
                             f"least 2 of the max_workers ({self.max_workers}) threads for other calls")
        if self.max_calls_per_caller > self.max_workers - 2:
            raise ValueError(f"max_calls_per_caller ({self.max_calls_per_caller}) must leave at least 2 of the "
                             f"max_workers ({self.max_workers}) threads to other callers")
        if self.max_watches_per_caller > self.max_watches or self.max_uploads_per_caller > self.max_uploads:
            raise ValueError("a per-caller cap (max_watches_per_caller, max_uploads_per_caller) must not exceed "
                             "its overall cap (max_watches, max_uploads)")
        return self

    def grpc_options(self) -> list[tuple[str, int]]:
        """HTTP/2 and keepalive limits as gRPC core channel arguments."""
        def ms(seconds: float) -> int:
            return int(seconds * 1000)
        return [
            ("grpc.max_receive_message_length", self.max_message_bytes),
            ("grpc.max_send_message_length", self.max_message_bytes),
            ("grpc.max_concurrent_streams", self.max_concurrent_streams),
            ("grpc.keepalive_time_ms", ms(self.keepalive_seconds)),
            ("grpc.keepalive_timeout_ms", ms(self.keepalive_timeout_seconds)),
            ("grpc.keepalive_permit_without_calls", 0),
            ("grpc.http2.min_recv_ping_interval_without_data_ms", ms(self.min_client_ping_seconds)),
            ("grpc.http2.max_ping_strikes", 2),
            ("grpc.max_connection_age_ms", ms(self.max_connection_age_seconds)),
            ("grpc.max_connection_age_grace_ms", ms(self.max_connection_age_grace_seconds)),
            ("grpc.max_connection_idle_ms", ms(self.max_connection_idle_seconds)),
            ("grpc.so_reuseport", 0),  # a second server on the same port must fail, not share it
        ]
