"""SIGTERM of each service drains: stops taking work, finishes what it holds, flushes, commits, leaves."""

from __future__ import annotations

import threading
import time

from confluent_kafka import Consumer, ConsumerGroupState, TopicPartition
from faultkit.datasets import csv_bytes, mixed_rows
from faultkit.oracle import Upload
from faultkit.progress import column, finish
from faultkit.report import Record
from faultkit.uploads import upload
from faultkit.world import World, wait_until


def _committed(world: World) -> dict[int, int]:
    """The group's committed Kafka offsets, read without joining the group."""
    settings = world.settings
    reader = Consumer({**settings.kafka.as_librdkafka(), "group.id": settings.consumer.group_id,
                       "enable.auto.commit": False})
    try:
        partitions = reader.list_topics(world.pipeline.topic, timeout=10).topics[world.pipeline.topic].partitions
        found = reader.committed([TopicPartition(world.pipeline.topic, p) for p in partitions], timeout=10)
    finally:
        reader.close()
    return {tp.partition: tp.offset for tp in found if tp.offset >= 0}


def _database_offsets(world: World) -> dict[int, int]:
    conn = world.connect()
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT partition, next_offset FROM consumer_offsets WHERE group_id = %s AND topic = %s",
                        (world.settings.consumer.group_id, world.pipeline.topic))
            return {int(p): int(o) for p, o in cur.fetchall()}
    finally:
        conn.close()


def _group_state(world: World, admin: object) -> str:
    futures = admin.describe_consumer_groups([world.settings.consumer.group_id])  # type: ignore[attr-defined]
    description = futures[world.settings.consumer.group_id].result(timeout=10)
    state: ConsumerGroupState = description.state
    return str(state.name)


def _records_on_topic(world: World, expected: int) -> int:
    return len(world.pipeline.read_all(world.pipeline.topic, expected=expected, timeout=10))


def test_sigterm_of_relay_and_consumer_drains_and_loses_nothing(world: World, record: Record,
                                                                 faults_admin: object) -> None:
    data = world.seed(4000)
    rows = mixed_rows(data, 3000)
    world.spawn("api")
    migration = upload(world, csv_bytes(rows), request_id="drain", max_rows_per_second=1000)
    relay = world.spawn("relay")
    consumer = world.spawn("consumer", SUBSHIFT_CONSUMER_BATCH_SIZE="300")
    wait_until(lambda: column(world, migration.migration_id, "outcomes") >= 600, timeout=60,
               what="the pipeline is running", interval=0.05)

    started = time.monotonic()
    relay_code = relay.terminate(timeout=60)
    relay_seconds = time.monotonic() - started
    published = column(world, migration.migration_id, "published", strict=True)
    on_topic = _records_on_topic(world, published)
    assert relay_code == 0, relay.log.read_text()[-2000:]
    assert on_topic == published, f"{on_topic} records on the topic, {published} marked published"

    started = time.monotonic()
    consumer_code = consumer.terminate(timeout=60)
    consumer_seconds = time.monotonic() - started
    assert consumer_code == 0, consumer.log.read_text()[-2000:]
    committed, in_database = _committed(world), _database_offsets(world)
    assert committed == in_database, f"Kafka offsets {committed}, database offsets {in_database}"
    state = _group_state(world, faults_admin)
    assert state == "EMPTY", f"the group is {state} after the only member left"

    world.spawn("relay")
    world.spawn("consumer")
    observed = finish(world, [Upload(migration.migration_id, rows)])
    record("SIGTERM relay", "finishes its batch, flushes, marks what was acknowledged",
           f"exit {relay_code} in {relay_seconds:.1f}s; {on_topic} records on the topic = {published} marked")
    record("SIGTERM consumer", "commits processed offsets after the DB, leaves the group",
           f"exit {consumer_code} in {consumer_seconds:.1f}s; Kafka offsets = DB offsets ({sum(committed.values())} "
           f"records); group {state}; after restart: {observed}")


def test_sigterm_of_the_api_mid_upload_lets_the_upload_finish(world: World, record: Record) -> None:
    data = world.seed(3000)
    rows = mixed_rows(data, 2000)
    api = world.spawn("api")
    code: list[int] = []

    def terminate_at_third_chunk(index: int) -> None:
        if index == 1:
            # The client sends the first messages before the call reaches the server; a signal then
            # would stop a server that never had the call in flight. Give the call time to open.
            time.sleep(0.5)
        if index == 3:
            threading.Thread(target=lambda: code.append(api.terminate(timeout=60))).start()
            time.sleep(1.0)  # the server is draining while the rest of the stream arrives

    migration = upload(world, csv_bytes(rows), chunk=4096, before_chunk=terminate_at_third_chunk,
                       request_id="api-drain")
    wait_until(lambda: bool(code), timeout=60, what="the API exits")
    assert code == [0], api.log.read_text()[-2000:]
    assert migration.counts.staged == len(rows)
    world.spawn("api")
    world.spawn("relay")
    world.spawn("consumer")
    observed = finish(world, [Upload(migration.migration_id, rows)])
    record("SIGTERM API mid-upload", "in-flight upload completes within the drain; exit 0",
           f"upload answered after SIGTERM with {migration.counts.staged} staged; exit {code[0]}; {observed}")
