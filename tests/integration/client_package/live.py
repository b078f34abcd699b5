"""A live Subshift for client tests: API, relay and consumer (`subshift serve all`) on a free port, with
their own database, topic prefix and consumer group, so nothing else on the stack sees their work."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import grpc
from confluent_kafka.admin import AdminClient, NewTopic

from subshift.config import DatabaseSettings, Settings
from subshift.messaging.topic_names import dead_letter_topic, user_offers_topic
from tests.integration.scratch_db import scratch_database

_START_SECONDS = 90.0


@dataclass(frozen=True)
class LiveSubshift:
    addr: str
    env: dict[str, str]
    database: DatabaseSettings
    log: Path

    def token(self, role: str = "operator") -> str:
        minted = subprocess.run([sys.executable, "-m", "subshift", "token", "--role", role, "--subject", "client-test"],
                                env=self.env, check=True, capture_output=True, text=True)
        return minted.stdout.strip()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def _topics(settings: Settings, prefix: str) -> Iterator[None]:
    admin = AdminClient(settings.kafka.as_librdkafka())
    spec = user_offers_topic(settings.kafka.model_copy(update={"topic_prefix": prefix}))
    names = [spec.name, dead_letter_topic(spec)]
    for future in admin.create_topics([NewTopic(name, num_partitions=spec.partitions, replication_factor=-1)
                                       for name in names], operation_timeout=15).values():
        future.result(timeout=15)
    try:
        yield
    finally:
        for future in admin.delete_topics(names, operation_timeout=15).values():
            future.result(timeout=15)


def _wait_ready(addr: str, server: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + _START_SECONDS
    with grpc.insecure_channel(addr) as channel:
        while time.monotonic() < deadline:
            if server.poll() is not None:
                raise AssertionError(f"subshift serve all exited with {server.returncode}:\n{log.read_text()[-4000:]}")
            try:
                grpc.channel_ready_future(channel).result(timeout=1)
                return
            except grpc.FutureTimeoutError:
                continue
    raise AssertionError(f"the API did not listen on {addr} within {_START_SECONDS:.0f}s:\n{log.read_text()[-4000:]}")


@contextmanager
def live_subshift(settings: Settings, workdir: Path) -> Iterator[LiveSubshift]:
    """Start `subshift serve all` isolated from everything else on the stack; stop it and clean up after."""
    tag = uuid.uuid4().hex[:8]
    prefix = f"test-client-{tag}."
    with scratch_database(settings, "subshift_client") as database, _topics(settings, prefix):
        addr = f"127.0.0.1:{_free_port()}"
        env = {
            **os.environ,
            "SUBSHIFT_DATABASE_URL": database.sqlalchemy_url(),
            "SUBSHIFT_KAFKA_BOOTSTRAP": settings.kafka.bootstrap,
            "SUBSHIFT_KAFKA_TOPIC_PREFIX": prefix,
            "SUBSHIFT_REGISTRY_URL": settings.registry.url,
            "SUBSHIFT_API_ADDR": addr,
            "SUBSHIFT_CONSUMER_GROUP_ID": f"test-client-{tag}",
            "SUBSHIFT_RELAY_REGISTER_SCHEMA": "true",
            "SUBSHIFT_API_METRICS_PORT": "0",
            "SUBSHIFT_RELAY_METRICS_PORT": "0",
            "SUBSHIFT_CONSUMER_METRICS_PORT": "0",
        }
        log = workdir / "serve-all.log"
        with log.open("wb") as output:
            server = subprocess.Popen([sys.executable, "-m", "subshift", "serve", "all"], env=env,
                                      stdout=output, stderr=subprocess.STDOUT)
        try:
            _wait_ready(addr, server, log)
            yield LiveSubshift(addr=addr, env=env, database=database, log=log)
        finally:
            server.terminate()
            try:
                server.wait(timeout=60)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
