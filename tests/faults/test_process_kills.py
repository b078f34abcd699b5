"""Processes killed with SIGKILL mid-work, then restarted: the final state is exact."""

from __future__ import annotations

from faultkit.datasets import csv_bytes, mixed_rows, seed
from faultkit.oracle import Upload, judge
from faultkit.progress import column, dead_letter_count, terminal
from faultkit.report import Record
from faultkit.uploads import upload
from faultkit.world import World, wait_until


def _finish(world: World, uploads: list[Upload], timeout: float = 180) -> str:
    wait_until(lambda: terminal(world, *(u.migration_id for u in uploads)), timeout=timeout,
               what="every migration is terminal")
    conn = world.connect()
    try:
        verdict = judge(conn, uploads, dead_letter_records=dead_letter_count(world))
    finally:
        conn.close()
    assert verdict.ok, verdict.explain()
    return verdict.observed


def test_kill_9_of_the_relay_mid_publish_then_restart(world: World, record: Record) -> None:
    conn = world.connect()
    data = seed(conn, 4000)
    conn.close()
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
    observed = _finish(world, [Upload(migration.migration_id, rows)])
    record("kill -9 relay mid-publish", "unconfirmed items republished, applied once",
           f"killed at {published_at_kill}/3000 published; {observed}")
