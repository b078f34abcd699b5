"""Runs the pipeline against the real stack, isolated per test: its own database, topics and consumer group.

The database is created once per session (``subshift_pipeline_<hex>``, schema from Alembic), so relays
and consumers of a test never see migrations staged by anyone else; topics get a per-test prefix
through ``SUBSHIFT_KAFKA_TOPIC_PREFIX``, so their names still come from the manifest.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from confluent_kafka import Consumer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic

from subshift.apply.metrics import ConsumerMetrics
from subshift.apply.service import build_consumer
from subshift.config import Settings
from subshift.messaging.topic_names import dead_letter_topic, user_offers_topic
from subshift.outbox.service import serve_relay

REPO = Path(__file__).resolve().parents[3]


def wait_until(predicate: Callable[[], bool], *, timeout: float, what: str, interval: float = 0.2) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout:.0f}s waiting until {what}")


def create_topics(admin: AdminClient, settings: Settings) -> list[str]:
    spec = user_offers_topic(settings.kafka)
    names = [spec.name, dead_letter_topic(spec)]
    futures = admin.create_topics([NewTopic(n, num_partitions=spec.partitions, replication_factor=-1)
                                   for n in names], operation_timeout=15)
    for future in futures.values():
        future.result(timeout=15)
    return names


@dataclass
class Pipeline:
    """A test's pipeline: settings pointing at its database, topics and group, and ways to run the services."""

    settings: Settings

    @property
    def topic(self) -> str:
        return user_offers_topic(self.settings.kafka).name

    @property
    def dead_letter_topic(self) -> str:
        return dead_letter_topic(user_offers_topic(self.settings.kafka))

    def env(self) -> dict[str, str]:
        s = self.settings
        return {
            **os.environ,
            "SUBSHIFT_DATABASE_URL": s.database.sqlalchemy_url(),
            "SUBSHIFT_KAFKA_BOOTSTRAP": s.kafka.bootstrap,
            "SUBSHIFT_KAFKA_TOPIC_PREFIX": s.kafka.topic_prefix,
            "SUBSHIFT_REGISTRY_URL": s.registry.url,
            "SUBSHIFT_CONSUMER_GROUP_ID": s.consumer.group_id,
            "SUBSHIFT_CONSUMER_BATCH_SIZE": str(s.consumer.batch_size),
            "SUBSHIFT_RELAY_BATCH_SIZE": str(s.relay.batch_size),
            "SUBSHIFT_RELAY_REGISTER_SCHEMA": "true",
            "SUBSHIFT_RELAY_METRICS_PORT": "0",
            "SUBSHIFT_CONSUMER_METRICS_PORT": "0",
        }

    def spawn(self, service: str, log: Path) -> subprocess.Popen[bytes]:
        """``subshift serve <service>`` as a child process (so a test can kill -9 it)."""
        handle = log.open("ab")
        return subprocess.Popen([sys.executable, "-m", "subshift", "serve", service], env=self.env(), cwd=REPO,
                                stdout=handle, stderr=subprocess.STDOUT)

    @contextlib.contextmanager
    def relay(self) -> Iterator[threading.Event]:
        stop = threading.Event()
        thread = threading.Thread(target=serve_relay, args=(self.settings, stop), name="relay", daemon=True)
        thread.start()
        try:
            yield stop
        finally:
            stop.set()
            thread.join(60)

    @contextlib.contextmanager
    def consumer(self, settings: Settings | None = None) -> Iterator[ConsumerMetrics]:
        stop = threading.Event()
        metrics = ConsumerMetrics()
        apply = build_consumer(settings or self.settings, stop, metrics)
        thread = threading.Thread(target=apply.run, name="consumer", daemon=True)
        thread.start()
        try:
            yield metrics
        finally:
            stop.set()
            thread.join(60)

    def read_all(self, topic: str, *, expected: int, timeout: float = 30) -> list[object]:
        """Every record of ``topic`` (waits until ``expected`` are there)."""
        consumer = Consumer({**self.settings.kafka.as_librdkafka(), "group.id": f"reader-{uuid.uuid4().hex}",
                             "auto.offset.reset": "earliest", "enable.auto.commit": False})
        consumer.assign([TopicPartition(topic, p, 0) for p in range(user_offers_topic(self.settings.kafka).partitions)])
        records: list[object] = []
        deadline = time.monotonic() + timeout
        try:
            while len(records) < expected and time.monotonic() < deadline:
                message = consumer.poll(0.5)
                if message is not None and message.error() is None:
                    records.append(message)
            extra_deadline = time.monotonic() + 1.0
            while time.monotonic() < extra_deadline:  # anything beyond the expected count shows up too
                message = consumer.poll(0.2)
                if message is not None and message.error() is None:
                    records.append(message)
        finally:
            consumer.close()
        return records
