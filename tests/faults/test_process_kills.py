"""Processes killed with SIGKILL mid-work, then restarted: the final state is exact."""

from __future__ import annotations

import threading
import time

import grpc
import pytest
from faultkit.datasets import csv_bytes, mixed_rows
from faultkit.oracle import Upload
from faultkit.progress import column, finish
from faultkit.report import Record
from faultkit.uploads import upload
from faultkit.world import World, wait_until


def test_kill_9_of_the_relay_mid_publish_then_restart(world: World, record: Record) -> None:
    data = world.seed(4000)
    rows = mixed_rows(data, 3000)
    world.spawn("api")
    migration = upload(world, csv_bytes(rows), request_id="relay-kill", max_rows_per_second=1000)
    relay = world.spawn("relay")
    world.spawn("consumer")
    wait_until(lambda: column(world, migration.migration_id, "published") >= 600, timeout=60,
               what="the relay is publishing", interval=0.05)
    relay.kill()
    published_at_kill = column(world, migration.migration_id, "published")
    world.spawn("relay")
    observed = finish(world, [Upload(migration.migration_id, rows)])
    record("kill -9 relay mid-publish", "unconfirmed items republished, applied once",
           f"killed at {published_at_kill}/3000 published; {observed}")


def test_kill_9_of_the_consumer_mid_batch_then_restart(world: World, record: Record) -> None:
    data = world.seed(4000)
    rows = mixed_rows(data, 3000)
    world.spawn("api")
    migration = upload(world, csv_bytes(rows), request_id="consumer-kill", max_rows_per_second=1000)
    world.spawn("relay")
    consumer = world.spawn("consumer", SUBSHIFT_CONSUMER_BATCH_SIZE="500")
    wait_until(lambda: column(world, migration.migration_id, "outcomes") >= 500, timeout=60,
               what="the consumer is applying", interval=0.05)
    consumer.kill()
    at_kill = column(world, migration.migration_id, "outcomes")
    world.spawn("consumer", SUBSHIFT_CONSUMER_BATCH_SIZE="500")
    observed = finish(world, [Upload(migration.migration_id, rows)])
    record("kill -9 consumer mid-batch", "redelivered events are no-ops; no lost or double apply",
           f"killed at {at_kill}/3000 outcomes; {observed}")


def _staged(world: World, request_id: str) -> tuple[int, int]:
    """(migrations with ``request_id``, items of any migration) in the world's database."""
    conn = world.connect()
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT count(*) FROM migrations WHERE request_id = %s", (request_id,))
            migrations = int(cur.fetchone()[0])
            cur.execute("SELECT count(*) FROM migration_items")
            items = int(cur.fetchone()[0])
    finally:
        conn.close()
    return migrations, items


def test_kill_9_of_the_api_mid_upload_leaves_nothing_and_the_retry_succeeds_once(
        world: World, record: Record) -> None:
    data = world.seed(6000)
    rows = mixed_rows(data, 5000)
    csv = csv_bytes(rows)
    api = world.spawn("api")
    halfway = threading.Event()

    def pause_halfway(index: int) -> None:
        if index == 10:
            halfway.set()
            time.sleep(5)  # the stream stays open while the server is killed

    def kill_when_halfway() -> None:
        halfway.wait(30)
        api.kill()

    killer = threading.Thread(target=kill_when_halfway)
    killer.start()
    with pytest.raises(grpc.RpcError) as raised:
        upload(world, csv, chunk=4096, before_chunk=pause_halfway, request_id="api-kill")
    killer.join()
    mid_stream = _staged(world, "api-kill")
    assert mid_stream == (0, 0), f"after a kill mid-stream: {mid_stream[0]} migrations, {mid_stream[1]} items"

    # Killed again just after the last chunk went out, while the server stages and commits.
    api = world.spawn("api")
    last = len(csv) // 4096

    def kill_after_last(index: int) -> None:
        if index == last:
            threading.Timer(0.05, api.kill).start()

    try:
        upload(world, csv, chunk=4096, before_chunk=kill_after_last, request_id="api-kill")
        late = "the upload completed before the kill"
    except grpc.RpcError as error:
        late = f"the client saw {error.code().name}"
    api.process.wait(10)
    migrations, items = _staged(world, "api-kill")
    assert (migrations, items) in ((0, 0), (1, len(rows))), f"half-staged: {migrations} migrations, {items} items"

    world.spawn("api")
    first = upload(world, csv, request_id="api-kill")
    again = upload(world, csv, chunk=1000, request_id="api-kill")
    assert again.migration_id == first.migration_id
    assert _staged(world, "api-kill") == (1, len(rows))
    world.spawn("relay")
    world.spawn("consumer")
    observed = finish(world, [Upload(first.migration_id, rows)])
    record("kill -9 API mid-upload", "fully staged or absent; retry with the same key stages once",
           f"mid-stream kill ({raised.value.code().name}): nothing staged; kill at commit ({late}): "
           f"{items} items; two retries -> one migration; {observed}")
