"""kill -9 of relay and consumer on the real stack; the final state stays exact.

Faults that stop a server (PostgreSQL, the registry, the broker) belong to the faults tier
(``tests/faults``), on a stack of its own: stopping the shared one would break every test running
beside it.
"""

from __future__ import annotations

import signal
from pathlib import Path

from pipeline.harness import Pipeline, wait_until
from pipeline.seeding import assert_applied_exactly, is_terminal, migration_row, stage_mixed
from subshift.db.connect import PgConnection


def _progress(pg: PgConnection, migration_id: object, column: str) -> int:
    try:
        return int(migration_row(pg, migration_id)[column])  # type: ignore[call-overload]
    except Exception:
        pg.rollback()
        return 0


def test_kill_9_of_relay_mid_publish_and_consumer_mid_batch_then_restart_leaves_the_exact_result(
        pipeline: Pipeline, pg: PgConnection, tmp_path: Path) -> None:
    # Throttled, so the kills land mid-run whatever the machine's speed.
    expected = stage_mixed(pg, 30_000, max_rows_per_second=5_000)
    relay = pipeline.spawn("relay", tmp_path / "relay.log")
    consumer = pipeline.spawn("consumer", tmp_path / "consumer.log")
    try:
        wait_until(lambda: _progress(pg, expected.migration_id, "published") >= 5_000, timeout=120,
                   what="the relay is publishing", interval=0.05)
        relay.send_signal(signal.SIGKILL)
        relay.wait(10)
        wait_until(lambda: _progress(pg, expected.migration_id, "applied") >= 2_000, timeout=120,
                   what="the consumer is applying", interval=0.05)
        consumer.send_signal(signal.SIGKILL)
        consumer.wait(10)
        assert not is_terminal(pg, expected.migration_id)

        relay = pipeline.spawn("relay", tmp_path / "relay.log")
        consumer = pipeline.spawn("consumer", tmp_path / "consumer.log")
        wait_until(lambda: is_terminal(pg, expected.migration_id), timeout=240, what="the migration is terminal")
    finally:
        for process in (relay, consumer):
            process.send_signal(signal.SIGTERM)
        for process in (relay, consumer):
            process.wait(30)
    assert relay.returncode == 0 and consumer.returncode == 0  # SIGTERM drains and exits cleanly
    assert_applied_exactly(pg, expected)
    assert pipeline.read_all(pipeline.dead_letter_topic, expected=0, timeout=2) == []
