"""The services under test as real child processes: ``subshift serve api|relay|consumer``.

Each runs with the bench's settings passed as ``SUBSHIFT_*`` variables (the way a deployment
configures them), logs to its own file in the run directory, and is stopped with SIGTERM so it
drains like in production (SIGKILL only after a grace period).
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from subshift.config import Settings
from subshift.errors import InfrastructureError

__all__ = ["Service", "free_port", "log_marks", "service_env", "spawn", "stopping", "wait_for"]

_STOP_SECONDS = 30.0


def free_port() -> int:
    """A TCP port on the loopback that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def service_env(settings: Settings, **extra: str) -> dict[str, str]:
    """The environment that makes a ``subshift`` process use ``settings`` (plus ``extra`` variables)."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("SUBSHIFT_")}
    env.update({
        "SUBSHIFT_STATE_DIR": str(settings.state_dir),
        "SUBSHIFT_DATABASE_URL": settings.database.sqlalchemy_url(),
        "SUBSHIFT_KAFKA_BOOTSTRAP": settings.kafka.bootstrap,
        "SUBSHIFT_KAFKA_TOPIC_PREFIX": settings.kafka.topic_prefix,
        "SUBSHIFT_REGISTRY_URL": settings.registry.url,
        "SUBSHIFT_API_ADDR": settings.api.addr,
        "SUBSHIFT_API_METRICS_PORT": str(settings.api.metrics_port),
    })
    # Every tuning knob of these sections travels too (batch sizes, linger, limits, the API's cache), so
    # a run with SUBSHIFT_RELAY_BATCH_SIZE=20000 in the environment measures exactly that.
    for section, prefix in ((settings.relay, "SUBSHIFT_RELAY_"), (settings.consumer, "SUBSHIFT_CONSUMER_"),
                            (settings.ingest, "SUBSHIFT_INGEST_"), (settings.api, "SUBSHIFT_API_")):
        for name, value in section.model_dump().items():
            if value is not None:
                env[prefix + name.upper()] = str(value).lower() if isinstance(value, bool) else str(value)
    env.update(extra)
    return env


@dataclass
class Service:
    """One running ``subshift serve <role>`` process and its log."""

    name: str
    process: subprocess.Popen[bytes]
    log: Path
    started: float = field(default_factory=time.monotonic)

    @property
    def pid(self) -> int:
        return self.process.pid

    def log_text(self) -> str:
        try:
            return self.log.read_text(errors="replace")
        except OSError:
            return ""

    def check_alive(self) -> None:
        """Raises InfrastructureError with the log's tail when the process has exited."""
        code = self.process.poll()
        if code is not None:
            tail = "\n".join(self.log_text().splitlines()[-15:])
            raise InfrastructureError(f"{self.name} exited with code {code}; last lines of {self.log}:\n{tail}",
                                      retryable=False)

    def stop(self, grace: float = _STOP_SECONDS) -> int | None:
        """SIGTERM, wait up to ``grace`` seconds, then SIGKILL; returns the exit code."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(grace)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
        return self.process.returncode


def spawn(name: str, module_args: list[str], env: dict[str, str], directory: Path) -> Service:
    """Start ``python -m <module_args…>`` (e.g. ``subshift serve api``) with ``env``; output to ``<name>.log``."""
    log = directory / f"{name}.log"
    with log.open("ab") as handle:
        process = subprocess.Popen([sys.executable, "-m", *module_args], env=env,
                                   stdout=handle, stderr=subprocess.STDOUT, start_new_session=True)
    return Service(name, process, log)


def wait_for(what: str, ready: Callable[[], bool], *, services: list[Service], timeout: float,
             interval: float = 0.1) -> float:
    """Poll ``ready`` until true; returns the seconds it took.

    Raises:
        InfrastructureError: a service died meanwhile, or ``timeout`` passed.
    """
    started = time.monotonic()
    while True:
        for service in services:
            service.check_alive()
        if ready():
            return time.monotonic() - started
        if time.monotonic() - started > timeout:
            raise InfrastructureError(f"timed out after {timeout:.0f} s waiting for {what}", retryable=False)
        time.sleep(interval)


def log_marks(service: Service, event: str) -> list[str]:
    """The ISO timestamps of every JSON log line of ``event`` in the service's log."""
    pattern = re.compile(r'"event": "' + re.escape(event) + r'"')
    stamps = []
    for line in service.log_text().splitlines():
        if pattern.search(line):
            match = re.search(r'"timestamp": "([^"]+)"', line)
            if match:
                stamps.append(match.group(1))
    return stamps


@contextlib.contextmanager
def stopping(services: list[Service]) -> Iterator[list[Service]]:
    """Stop every service in ``services`` (also those appended later) when the block ends."""
    try:
        yield services
    finally:
        for service in reversed(services):
            service.stop()
