"""Servers of the stack stopped and restarted: PostgreSQL, the registry, the Kafka broker."""

from __future__ import annotations

import time
import uuid

from confluent_kafka.schema_registry import Schema, SchemaRegistryClient
from faultkit.datasets import Dataset, csv_bytes, mixed_rows
from faultkit.events import publish_with_newer_schema, register_newer_schema
from faultkit.oracle import Upload
from faultkit.progress import column, dead_letter_count, finish
from faultkit.report import Record
from faultkit.stack import PrivateStack
from faultkit.uploads import upload
from faultkit.world import World, wait_until

from subshift.config import Settings

_SURVIVOR = ('{"type": "record", "name": "Survivor", "namespace": "dev.subshift.tests", "fields": '
             '[{"name": "id", "type": "string"}, {"name": "restarts", "type": "long", "default": 0}]}')


def _start(world: World, rows: int, subscribers: int, *, rate: int, key: str) -> tuple[Upload, Dataset]:
    data = world.seed(subscribers)
    mixed = mixed_rows(data, rows)
    world.spawn("api")
    migration = upload(world, csv_bytes(mixed), request_id=key, max_rows_per_second=rate)
    return Upload(migration.migration_id, mixed), data


def test_postgresql_restart_mid_run(world: World, record: Record, faults_stack: PrivateStack) -> None:
    first, _ = _start(world, 3000, 4000, rate=1000, key="pg-restart")
    world.spawn("relay")
    world.spawn("consumer")
    wait_until(lambda: column(world, first.migration_id, "outcomes") >= 600, timeout=60,
               what="the pipeline is running", interval=0.05)
    faults_stack.stop("postgres")
    down_at = time.monotonic()
    time.sleep(5)
    faults_stack.start("postgres")
    outage = time.monotonic() - down_at
    alive = all(s.alive() for s in world.services if s.name != "api")
    observed = finish(world, [first])
    assert alive, "a service exited during the database outage"
    record("PostgreSQL restart mid-run", "relay and consumer retry; nothing lost, nothing dead-lettered",
           f"down {outage:.0f}s; services stayed up; {observed}")


def test_registry_down_at_consumer_start_and_at_a_new_schema_id(world: World, record: Record,
                                                                 faults_stack: PrivateStack) -> None:
    first, data = _start(world, 2000, 5000, rate=0, key="registry-1")
    relay = world.spawn("relay")
    wait_until(lambda: column(world, first.migration_id, "published") == 2000, timeout=60,
               what="everything is published")
    faults_stack.stop("registry")
    consumer = world.spawn("consumer")
    time.sleep(8)
    while_down = column(world, first.migration_id, "outcomes"), dead_letter_count(world)
    assert consumer.alive(), consumer.log.read_text()[-2000:]
    assert while_down == (0, 0), f"with the registry down: {while_down[0]} outcomes, {while_down[1]} dead letters"
    faults_stack.start("registry")
    finish(world, [first])

    # The consumer is warm now; the registry goes away just before it meets a schema id it has not seen.
    # The relay stops first: these events are written by hand with the newer schema, not by it.
    assert relay.terminate() == 0
    newer_id = register_newer_schema(world)
    rest = [u for u in data.users() if u not in {r[0] for r in first.rows}]
    second_rows = mixed_rows(data, 2000, users=rest)
    second = upload(world, csv_bytes(second_rows), request_id="registry-2")
    faults_stack.stop("registry")
    published = publish_with_newer_schema(world, second.migration_id, newer_id)
    time.sleep(6)
    meeting = column(world, second.migration_id, "outcomes"), dead_letter_count(world)
    assert consumer.alive(), consumer.log.read_text()[-2000:]
    assert meeting == (0, 0), f"new schema id while the registry is down: {meeting[0]} outcomes, {meeting[1]} DLT"
    faults_stack.start("registry")
    observed = finish(world, [first, Upload(second.migration_id, second_rows)])
    record("registry down at consumer start", "consumer waits (no apply, no dead letter), then applies all",
           "8s down at start: 0 outcomes, 0 dead letters; after restart all 2000 applied exactly")
    record("registry down at a new schema id", "unknown-yet-valid id retried, never dead-lettered",
           f"{published} events with schema id {newer_id}: 0 outcomes, 0 DLT while down; {observed}")


def test_kafka_broker_down_longer_than_the_delivery_timeout_then_restarted(
        world: World, record: Record, faults_stack: PrivateStack) -> None:
    first, _ = _start(world, 3000, 4000, rate=1000, key="kafka-restart")
    relay = world.spawn("relay", SUBSHIFT_RELAY_DELIVERY_TIMEOUT_MS="3000")
    world.spawn("consumer")
    wait_until(lambda: column(world, first.migration_id, "published") >= 600, timeout=60,
               what="the relay is publishing", interval=0.05)
    faults_stack.stop("kafka")
    down_at = time.monotonic()
    time.sleep(4)  # every delivery in flight has failed by now (timeout 3 s)
    published_early = column(world, first.migration_id, "published")
    time.sleep(8)
    published_late = column(world, first.migration_id, "published")
    faults_stack.start("kafka")
    outage = time.monotonic() - down_at
    log = relay.log.read_text()
    failures = log.count("relay.delivery_failed")
    assert published_early == published_late, "items were reported published while the broker was down"
    assert failures > 0, "the relay never reported a delivery failure"
    observed = finish(world, [first], timeout=240)
    record("broker unreachable > delivery timeout", "delivery errors surface; nothing reported published; "
           "relay retries later and loses nothing",
           f"delivery.timeout 3s, broker down {outage:.0f}s: {failures} failed batches logged, published stayed "
           f"{published_late}; then all published")
    record("Kafka broker restart mid-run", "relay and consumer reconnect; exact final state", observed)


def test_registered_schemas_survive_a_registry_restart(faults_stack: PrivateStack, faults_settings: Settings,
                                                       record: Record) -> None:
    # The registry keeps its schemas in PostgreSQL: a restarted registry answers for ids it gave before.
    subject = f"survivor-{uuid.uuid4().hex[:8]}-value"
    before = SchemaRegistryClient(faults_settings.registry.as_client_conf())
    schema_id = before.register_schema(subject, Schema(_SURVIVOR, "AVRO"))
    faults_stack.stop("registry")
    faults_stack.start("registry")
    after = SchemaRegistryClient(faults_settings.registry.as_client_conf())  # a new client: no cached answers
    assert after.get_latest_version(subject).schema_id == schema_id
    assert "Survivor" in (after.get_schema(schema_id).schema_str or "")
    record("registry restarted", "schemas are kept in PostgreSQL: ids and texts survive",
           f"schema id {schema_id} of {subject} answered the same after the restart")
