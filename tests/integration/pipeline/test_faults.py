"""Faults on the real stack: PostgreSQL stopped mid-run, kill -9 of relay and consumer; the final state stays exact."""

from __future__ import annotations

import signal
import time
from pathlib import Path

from pipeline.harness import Pipeline, wait_until
from pipeline.seeding import assert_applied_exactly, is_terminal, migration_row, stage_mixed
from subshift.config import Settings
from subshift.db.connect import PgConnection
from subshift_tooling.stack.control import LocalStack


def _counter_total(metric: object) -> float:
    return sum(s.value for m in metric.collect() for s in m.samples if s.name.endswith("_total"))  # type: ignore[attr-defined]


def _progress(pg: PgConnection, migration_id: object, column: str) -> int:
    try:
        return int(migration_row(pg, migration_id)[column])  # type: ignore[call-overload]
    except Exception:
        pg.rollback()
        return 0


def test_postgresql_stopped_for_ten_seconds_mid_run_loses_and_dead_letters_nothing(
        pipeline: Pipeline, pg: PgConnection, settings: Settings) -> None:
    expected = stage_mixed(pg, 20_000, max_rows_per_second=4_000)
    stack = LocalStack(settings)

    with pipeline.relay(), pipeline.consumer() as metrics:
        wait_until(lambda: _progress(pg, expected.migration_id, "applied") > 1_000, timeout=120,
                   what="the consumer is applying")
        pg.close()
        stack.down(["postgres"])
        try:
            time.sleep(10)
        finally:
            stack.postgres.launch()
        conn = _reconnect(pipeline)
        try:
            wait_until(lambda: is_terminal(conn, expected.migration_id), timeout=240, what="the migration is terminal")
            assert _counter_total(metrics.dead_lettered) == 0
            assert _counter_total(metrics.retries) > 0  # the outage was seen and retried
            assert_applied_exactly(conn, expected)
        finally:
            conn.close()
    assert pipeline.read_all(pipeline.dead_letter_topic, expected=0, timeout=2) == []


def _reconnect(pipeline: Pipeline) -> PgConnection:
    from subshift.db.connect import connect

    deadline = time.monotonic() + 60
    while True:
        try:
            return connect(pipeline.settings.database, application_name="pipeline-tests")
        except Exception:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


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
