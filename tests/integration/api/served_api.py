"""``subshift serve api`` as a real process on free ports against the tests' database, and its own metrics."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc
from prometheus_client.parser import text_string_to_metric_families

from subshift.config import Settings

__all__ = ["SUBSHIFT", "ServedApi", "free_port", "serve_api", "serve_apis"]

SUBSHIFT = str(Path(sys.executable).parent / "subshift")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass(frozen=True)
class ServedApi:
    """A running ``subshift serve api``: its gRPC and metrics ports, the process and its log."""

    port: int
    metrics_port: int
    process: subprocess.Popen[bytes]
    log: Path

    @property
    def target(self) -> str:
        return f"127.0.0.1:{self.port}"

    def calls(self, method: str) -> float:
        """Calls of ``method`` this process has finished, every status code, from its Prometheus endpoint."""
        with urllib.request.urlopen(f"http://127.0.0.1:{self.metrics_port}/metrics", timeout=10) as reply:
            exposition = reply.read().decode()
        return sum(sample.value for family in text_string_to_metric_families(exposition)
                   for sample in family.samples
                   if sample.name == "subshift_api_requests_total" and sample.labels["method"] == method)


@contextlib.contextmanager
def serve_api(settings: Settings, log: Path, **extra: str) -> Iterator[ServedApi]:
    """Start ``subshift serve api`` with ``settings``' database (``extra``: more ``SUBSHIFT_*``), wait until it
    serves, and kill it afterwards. Fails the test, with the process's log, if it does not come up."""
    with serve_apis(settings, [log], **extra) as (served,):
        yield served


@contextlib.contextmanager
def serve_apis(settings: Settings, logs: list[Path], **extra: str) -> Iterator[list[ServedApi]]:
    """One ``subshift serve api`` per log, started together (each takes seconds to import), as ``serve_api``."""
    started: list[ServedApi] = []
    try:
        for log in logs:
            started.append(_start(settings, log, extra))
        for served in started:
            _wait_serving(served)
        yield started
    finally:
        for served in started:
            if served.process.poll() is None:
                served.process.kill()
                served.process.wait(10)


def _start(settings: Settings, log: Path, extra: dict[str, str]) -> ServedApi:
    port, metrics_port = free_port(), free_port()
    env = {key: value for key, value in os.environ.items() if not key.startswith("SUBSHIFT_")}
    env.update(SUBSHIFT_DATABASE_URL=settings.database.sqlalchemy_url(), SUBSHIFT_API_ADDR=f"127.0.0.1:{port}",
               SUBSHIFT_API_METRICS_PORT=str(metrics_port), SUBSHIFT_API_DRAIN_SECONDS="5", **extra)
    with log.open("wb") as sink:
        process = subprocess.Popen([SUBSHIFT, "serve", "api"], env=env, stdout=sink, stderr=subprocess.STDOUT)
    return ServedApi(port, metrics_port, process, log)


def _wait_serving(served: ServedApi, timeout: float = 120) -> None:
    # A channel per attempt: one channel would wait out its reconnect backoff (seconds, growing) after the
    # refusals before the process listens, and processes starting together on shared cores take a while.
    deadline = time.monotonic() + timeout
    while True:
        with grpc.insecure_channel(served.target) as channel:
            try:
                reply = health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(), timeout=2)
                if reply.status == health_pb2.HealthCheckResponse.SERVING:
                    return
            except grpc.RpcError:
                pass
        if served.process.poll() is not None or time.monotonic() > deadline:
            pytest.fail(f"subshift serve api did not come up:\n{served.log.read_text()}")
        time.sleep(0.3)
