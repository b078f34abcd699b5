"""Consumers join and leave the group mid-run: rebalances lose nothing and apply nothing twice."""

from __future__ import annotations

from faultkit.datasets import csv_bytes, mixed_rows
from faultkit.oracle import Upload
from faultkit.progress import column, finish
from faultkit.report import Record
from faultkit.uploads import upload
from faultkit.world import Service, World, wait_until


def _batches(service: Service) -> int:
    return service.log.read_text().count('"consumer.batch"')


def test_a_consumer_added_and_one_removed_mid_run(world: World, record: Record) -> None:
    data = world.seed(9000)
    rows = mixed_rows(data, 8000)
    world.spawn("api")
    # Slow enough that the run outlasts three membership changes (each waits for a rebalance) on a busy machine.
    migration = upload(world, csv_bytes(rows), request_id="rebalance", max_rows_per_second=120)
    world.spawn("relay")
    first = world.spawn("consumer", SUBSHIFT_CONSUMER_BATCH_SIZE="100")
    wait_until(lambda: _batches(first) >= 2, timeout=60, what="the first consumer applies")
    second = world.spawn("consumer", SUBSHIFT_CONSUMER_BATCH_SIZE="100")
    wait_until(lambda: _batches(second) >= 2, timeout=90, what="the joining consumer gets partitions and applies")
    at_join = column(world, migration.migration_id, "outcomes")
    third = world.spawn("consumer", SUBSHIFT_CONSUMER_BATCH_SIZE="100")
    wait_until(lambda: _batches(third) >= 1, timeout=90, what="the third consumer applies")
    first_exit = first.terminate(timeout=60)  # removed: leaves the group, its partitions move
    at_leave = column(world, migration.migration_id, "outcomes")
    before_kill = _batches(third)
    wait_until(lambda: _batches(third) >= before_kill + 2, timeout=60, what="the remaining consumers go on")
    second.kill()  # removed without a goodbye: its partitions move after the session timeout
    at_kill = column(world, migration.migration_id, "outcomes")
    assert at_kill < len(rows), "the run ended before the last membership change; slow the relay down"
    observed = finish(world, [Upload(migration.migration_id, rows)])
    assert first_exit == 0 and third.alive()
    applied_by = {s.log.name: _batches(s) for s in (first, second, third)}
    record("consumer added and removed mid-run", "rebalances (join, leave, crash) lose nothing, apply once",
           f"2nd joined at {at_join}, 3rd joined and 1st left at {at_leave}, 2nd killed at {at_kill} of 8000 outcomes; "
           f"batches per member {sorted(applied_by.values())}; {observed}")
