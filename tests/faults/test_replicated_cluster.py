"""A three-node KRaft cluster (replication factor 3, min.insync.replicas 2) with authentication and ACLs on:
one broker killed mid-run; the relay and the consumer run as their own principals."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from confluent_kafka import KafkaException
from confluent_kafka.admin import AdminClient, ConfigEntry, ConfigResource, PartitionMetadata  # type: ignore[attr-defined]  # re-exported, not in __all__
from faultkit.datasets import csv_bytes, mixed_rows
from faultkit.oracle import Upload
from faultkit.progress import column, finish
from faultkit.report import Record
from faultkit.stack import PrivateStack
from faultkit.uploads import upload
from faultkit.world import World, create_world, wait_until

from subshift.config import Settings
from subshift_tooling.stack.health import wait_healthy
from subshift_tooling.stack.kafka import KafkaService
from subshift_tooling.stack.kafka_auth import acl_rules


@pytest.fixture(scope="module")
def cluster(faults_stack: PrivateStack) -> Iterator[tuple[KafkaService, Settings]]:
    kafka, settings = faults_stack.three_node_kafka()
    kafka.launch()
    wait_healthy([kafka], timeout=settings.stack.start_timeout)
    yield kafka, settings
    for process in kafka.processes():
        process.stop(timeout=5)  # a disposable test cluster: no need for a long controlled shutdown


@pytest.fixture
def replicated_world(cluster: tuple[KafkaService, Settings], template_database: str,
                     tmp_path: Path) -> Iterator[World]:
    kafka, settings = cluster
    with create_world(settings, template_database, tmp_path, AdminClient({**settings.kafka.as_librdkafka()})) as made:
        kafka.grant(acl_rules(topic=made.pipeline.topic, dead_letter_topic=made.pipeline.dead_letter_topic,
                              consumer_group=made.settings.consumer.group_id))
        yield made


def _as(kafka: KafkaService, principal: str) -> dict[str, str]:
    """The environment that makes a spawned process authenticate as ``principal``."""
    conf = kafka.client_conf(principal)
    return {"SUBSHIFT_KAFKA_SECURITY_PROTOCOL": conf["security.protocol"],
            "SUBSHIFT_KAFKA_SASL_MECHANISM": conf["sasl.mechanism"], "SUBSHIFT_KAFKA_SASL_USERNAME": principal,
            "SUBSHIFT_KAFKA_SASL_PASSWORD": conf["sasl.password"]}


def _topic_replication(world: World) -> tuple[int, str]:
    admin = AdminClient({**world.settings.kafka.as_librdkafka()})
    topic = world.pipeline.topic

    def partitions() -> dict[int, PartitionMetadata]:
        found = admin.list_topics(topic, timeout=10).topics.get(topic)
        return dict(found.partitions) if found is not None and found.error is None else {}

    resource = ConfigResource(ConfigResource.Type.TOPIC, topic)
    configs: dict[str, ConfigEntry] = {}

    def described() -> bool:
        try:
            configs.update(admin.describe_configs([resource])[resource].result(timeout=10))
        except KafkaException:
            return False
        return True

    # A topic just created can be missing from a broker's metadata for a moment on a 3-node cluster, and the
    # broker that answers DescribeConfigs can learn of it later than the one that answered the metadata.
    wait_until(lambda: bool(partitions()), timeout=30, what=f"{topic} in the cluster's metadata")
    wait_until(described, timeout=30, what=f"{topic}'s configuration")
    replicas = min(len(p.replicas) for p in partitions().values())
    return replicas, configs["min.insync.replicas"].value


def test_one_broker_of_three_killed_mid_run_loses_nothing(
        replicated_world: World, cluster: tuple[KafkaService, Settings], record: Record) -> None:
    world = replicated_world
    kafka, _ = cluster
    replicas, min_isr = _topic_replication(world)
    assert (replicas, min_isr) == (3, "2")
    data = world.seed(4000)
    rows = mixed_rows(data, 3000)
    world.spawn("api")
    migration = upload(world, csv_bytes(rows), request_id="three-brokers", max_rows_per_second=600)
    world.spawn("relay", **_as(kafka, "relay"))
    world.spawn("consumer", **_as(kafka, "consumer"))
    wait_until(lambda: column(world, migration.migration_id, "outcomes") >= 500, timeout=120,
               what="the pipeline runs on the cluster", interval=0.1)
    victim = kafka.processes()[-1]
    pid = victim.pid()
    assert pid is not None
    os.kill(pid, signal.SIGKILL)
    killed_at = column(world, migration.migration_id, "outcomes")
    started = time.monotonic()
    observed = finish(world, [Upload(migration.migration_id, rows)], timeout=300)
    record("3 brokers, RF 3, min ISR 2, SASL/SCRAM + ACLs: one killed",
           "acks=all survives a broker loss; run completes exactly",
           f"{victim.name} SIGKILLed at {killed_at}/3000 outcomes; finished {time.monotonic() - started:.0f}s later "
           f"on 2 brokers; {observed}")
