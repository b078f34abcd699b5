"""A network partition between one consumer and the broker, healed after the group's session timeout."""

from __future__ import annotations

import json
import time

from faultkit.datasets import csv_bytes, mixed_rows
from faultkit.netns import namespace
from faultkit.oracle import Upload
from faultkit.progress import column, dead_letter_count, finish
from faultkit.report import Record
from faultkit.uploads import upload
from faultkit.world import Service, World, wait_until


def _count(service: Service, event: str) -> int:
    return service.log.read_text().count(f'"{event}"')


def _owns_partitions(service: Service) -> bool:
    """It owns a partition now (assignments are incremental: added on assign, removed on revoke)."""
    owned: set[int] = set()
    for line in service.log.read_text().splitlines():
        if not line.startswith("{"):
            continue
        event = json.loads(line)
        if event.get("event") == "consumer.assigned":
            owned |= set(event["partitions"])
        elif event.get("event") == "consumer.revoked":
            owned -= set(event["partitions"])
    return bool(owned)


def test_consumer_cut_off_from_the_broker_past_its_session_timeout_then_healed(world: World, record: Record) -> None:
    data = world.seed(7000)
    users = data.users()
    data.rng.shuffle(users)
    before, during, after = (mixed_rows(data, 2000, users=users[:2000]),
                             mixed_rows(data, 2000, users=users[2000:4000]),
                             mixed_rows(data, 1000, users=users[4000:5000]))
    kafka_port = int(world.settings.kafka.bootstrap.rsplit(":", 1)[1])
    session = world.settings.consumer.session_timeout_ms / 1000
    with namespace() as ns:
        world.spawn("api")
        world.spawn("relay")
        outside = world.spawn("consumer", SUBSHIFT_CONSUMER_BATCH_SIZE="100")
        inside = world.spawn("consumer", prefix=ns.prefix, SUBSHIFT_CONSUMER_BATCH_SIZE="100")
        wait_until(lambda: _owns_partitions(outside) and _owns_partitions(inside), timeout=120,
                   what="both consumers own partitions")
        first = upload(world, csv_bytes(before), request_id="partition-before", max_rows_per_second=400)
        wait_until(lambda: _count(inside, "consumer.batch") >= 1, timeout=90,
                   what="the consumer in the namespace applies")
        ns.cut(kafka_port)
        inside_batches = _count(inside, "consumer.batch")
        second = upload(world, csv_bytes(during), request_id="partition-during")
        wait_until(lambda: column(world, second.migration_id, "outcomes") == len(during), timeout=120,
                   what="the host consumer takes over and applies the migration sent during the partition")
        time.sleep(session)  # stay cut well past the session timeout (the take-over above already took one)
        ns.heal(kafka_port)
        third = upload(world, csv_bytes(after), request_id="partition-after", max_rows_per_second=200)
        wait_until(lambda: _count(inside, "consumer.batch") > inside_batches, timeout=120,
                   what="the healed consumer rejoins and applies again")
        uploads = [Upload(first.migration_id, before), Upload(second.migration_id, during),
                   Upload(third.migration_id, after)]
        observed = finish(world, uploads, timeout=240)
        assert inside.alive(), inside.log.read_text()[-2000:]
        assert dead_letter_count(world) == 0
    record("partition consumer<->broker (netns+veth)",
           "the cut-off member's partitions move after the session timeout; healed, it rejoins; nothing twice",
           f"cut past the {session:.0f}s session timeout; a migration sent meanwhile was applied by the host "
           f"consumer; after healing the namespaced consumer applied again; {observed}")
