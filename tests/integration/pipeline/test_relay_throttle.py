"""The relay honours each migration's rate limit without holding others back, and stops on cancel."""

from __future__ import annotations

import time
import uuid

from pipeline.harness import Pipeline, wait_until
from pipeline.seeding import migration_row, outcomes_of, stage_mixed
from subshift.api.lifecycle import cancel_migration
from subshift.db.connect import PgConnection
from subshift.db.engine import make_engine


def _publish_span(pipeline: Pipeline, users: tuple[str, ...], *, among: int) -> float:
    """Seconds between the first and the last event of ``users`` on the topic (record timestamps)."""
    keys = {user.encode() for user in users}
    stamps = [record.timestamp()[1] for record in pipeline.read_all(pipeline.topic, expected=among)  # type: ignore[attr-defined]
              if record.key() in keys]  # type: ignore[attr-defined]
    assert len(stamps) == len(users)
    return (max(stamps) - min(stamps)) / 1000


def _published(pg: PgConnection, migration_id: uuid.UUID) -> int:
    return int(migration_row(pg, migration_id)["published"])  # type: ignore[call-overload]


def test_a_limited_migration_is_spread_over_time_while_an_unlimited_one_runs_beside_it(
        pipeline: Pipeline, pg: PgConnection) -> None:
    limited = stage_mixed(pg, 1_500, max_rows_per_second=500)
    unlimited = stage_mixed(pg, 5_000)

    with pipeline.relay():
        wait_until(lambda: _published(pg, unlimited.migration_id) == 5_000, timeout=120,
                   what="the unlimited migration is published")
        assert _published(pg, limited.migration_id) < 1_500  # not held up behind the limited one
        wait_until(lambda: _published(pg, limited.migration_id) == 1_500, timeout=120,
                   what="the limited migration is published")

    # 1,500 rows at 500/s with a one-second burst: at least two seconds between first and last.
    assert _publish_span(pipeline, limited.users, among=6_500) >= 1.9
    assert migration_row(pg, limited.migration_id)["state"] == "applying"


def test_a_cancelled_migration_stops_publishing(pipeline: Pipeline, pg: PgConnection) -> None:
    expected = stage_mixed(pg, 3_000, max_rows_per_second=500)

    with pipeline.relay():
        wait_until(lambda: _published(pg, expected.migration_id) > 0, timeout=60, what="publishing started")
        engine = make_engine(pipeline.settings.database)
        try:  # the API's own cancel, racing the relay's batches
            cancel_migration(engine, expected.migration_id, reason="test", cancelled_by="pipeline-tests")
        finally:
            engine.dispose()
        at_cancel = _published(pg, expected.migration_id)
        time.sleep(2)  # the relay keeps cycling meanwhile

    assert _published(pg, expected.migration_id) == at_cancel < 3_000
    row = migration_row(pg, expected.migration_id)
    assert row["state"] == "cancelled"
    assert outcomes_of(pg, expected.migration_id)["cancelled"] == 3_000
