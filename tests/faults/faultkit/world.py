"""One scenario's world: its own database (from a migrated template), topics, consumer group and API port.

Processes are real ``subshift serve …`` children configured only through ``SUBSHIFT_*`` variables,
so a scenario can SIGKILL or SIGTERM them; their output goes to one log file each, kept in the
test's ``tmp_path`` (and scanned by the secrets test).
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import grpc
import psycopg2
from grpc_health.v1 import health_pb2, health_pb2_grpc
from pydantic import SecretStr
from sqlalchemy.engine import make_url

from faultkit.datasets import Dataset, seed
from faultkit.stack import REPO
from subshift.api.auth import Role
from subshift.api.tokens import mint_dev_token
from subshift.config import DatabaseSettings, Settings
from subshift.db.connect import PgConnection, connect
from tests.integration.pipeline.harness import Pipeline, create_topics, wait_until

__all__ = ["Service", "World", "create_world", "database_url", "free_port", "wait_until"]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


@dataclass
class Service:
    """A running ``subshift serve <name>`` child."""

    name: str
    process: subprocess.Popen[bytes]
    log: Path

    def signal(self, signum: int) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signum)

    def kill(self) -> None:
        """SIGKILL and reap (no chance to flush, commit or leave the group)."""
        self.signal(signal.SIGKILL)
        self.process.wait(10)

    def terminate(self, timeout: float = 60) -> int:
        """SIGTERM and wait for the drain; returns the exit code."""
        self.signal(signal.SIGTERM)
        return self.process.wait(timeout)

    def alive(self) -> bool:
        return self.process.poll() is None


@dataclass
class World:
    """Settings of one scenario and the services it started."""

    settings: Settings
    logs: Path
    api_port: int
    services: list[Service] = field(default_factory=list)

    @property
    def pipeline(self) -> Pipeline:
        return Pipeline(self.settings)

    @property
    def api_target(self) -> str:
        return f"127.0.0.1:{self.api_port}"

    def env(self, **extra: str) -> dict[str, str]:
        """Environment of a child: everything from settings, nothing from the shared stack's variables."""
        inherited = {k: v for k, v in os.environ.items() if not k.startswith("SUBSHIFT_")}
        pipeline = {k: v for k, v in self.pipeline.env().items() if k.startswith("SUBSHIFT_")}
        return {**inherited, **pipeline,
                "SUBSHIFT_API_ADDR": self.api_target, "SUBSHIFT_API_METRICS_PORT": "0",
                "SUBSHIFT_API_DRAIN_SECONDS": "10",
                "SUBSHIFT_CONSUMER_SESSION_TIMEOUT_MS": str(self.settings.consumer.session_timeout_ms),
                "SUBSHIFT_CONSUMER_RETRY_CAP_SECONDS": "2", "SUBSHIFT_RELAY_RETRY_CAP_SECONDS": "2", **extra}

    def spawn(self, name: str, *, prefix: list[str] | None = None, **extra: str) -> Service:
        """Start ``subshift serve <name>`` (``prefix``: e.g. ``ip netns exec …``)."""
        log = self.logs / f"{name}-{len(self.services)}.log"
        argv = [*(prefix or []), sys.executable, "-m", "subshift", "serve", name]
        handle = log.open("ab")
        process = subprocess.Popen(argv, env=self.env(**extra), cwd=REPO, stdout=handle, stderr=subprocess.STDOUT)
        service = Service(name, process, log)
        self.services.append(service)
        if name == "api":
            self.wait_api(service)
        return service

    def wait_api(self, service: Service, timeout: float = 60) -> None:
        def serving() -> bool:
            if not service.alive():
                raise AssertionError(f"the API exited early:\n{service.log.read_text()[-3000:]}")
            with grpc.insecure_channel(self.api_target) as channel:
                try:
                    reply = health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(), timeout=1)
                except grpc.RpcError:
                    return False
                return bool(reply.status == health_pb2.HealthCheckResponse.SERVING)
        wait_until(serving, timeout=timeout, what="the API serves")

    def token(self, role: Role = Role.OPERATOR, subject: str = "faults") -> tuple[tuple[str, str | bytes], ...]:
        value = mint_dev_token(self.settings.auth, role=role, subject=subject, ttl_seconds=3600)
        return (("authorization", f"Bearer {value}"),)

    def seed(self, subscribers: int) -> Dataset:
        """The offers and ``subscribers`` subscriptions of ``datasets.seed``, on a connection of its own."""
        conn = self.connect()
        try:
            return seed(conn, subscribers)
        finally:
            conn.close()

    def connect(self, retry_seconds: float = 60) -> PgConnection:
        deadline = time.monotonic() + retry_seconds
        while True:
            try:
                return connect(self.settings.database, application_name="faults-oracle")
            except psycopg2.OperationalError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.5)

    def stop_all(self) -> None:
        for service in self.services:
            if service.alive():
                service.signal(signal.SIGTERM)
        for service in self.services:
            try:
                service.process.wait(30)
            except subprocess.TimeoutExpired:
                service.kill()


def database_url(settings: Settings, name: str) -> DatabaseSettings:
    url = make_url(settings.database.sqlalchemy_url()).set(database=name).render_as_string(hide_password=False)
    return DatabaseSettings(url=SecretStr(url))


@contextlib.contextmanager
def create_world(settings: Settings, template: str, logs: Path, kafka_admin: object) -> Iterator[World]:
    """A fresh database (copy of ``template``), prefixed topics and a group; everything removed afterwards."""
    tag = uuid.uuid4().hex[:8]
    name = f"subshift_faults_{tag}"
    admin = psycopg2.connect(settings.database.libpq_dsn())
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    admin.close()
    isolated = settings.model_copy(update={
        "database": database_url(settings, name),
        "kafka": settings.kafka.model_copy(update={"topic_prefix": f"faults-{tag}."}),
        "consumer": settings.consumer.model_copy(update={"group_id": f"faults-apply-{tag}", "metrics_port": 0,
                                                         "session_timeout_ms": 6000, "retry_cap_seconds": 2.0}),
        "relay": settings.relay.model_copy(update={"metrics_port": 0, "register_schema": True,
                                                   "retry_cap_seconds": 2.0}),
    })
    topics = create_topics(kafka_admin, isolated)  # type: ignore[arg-type]
    world = World(isolated, logs, free_port())
    try:
        yield world
    finally:
        world.stop_all()
        with contextlib.suppress(Exception):
            for future in kafka_admin.delete_topics(topics, operation_timeout=15).values():  # type: ignore[attr-defined]
                future.result(timeout=15)
        with contextlib.suppress(psycopg2.Error):
            admin = psycopg2.connect(settings.database.libpq_dsn(), connect_timeout=10)
            admin.autocommit = True
            with admin.cursor() as cur:
                cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            admin.close()
