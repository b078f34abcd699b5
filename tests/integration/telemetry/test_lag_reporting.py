"""Consumer lag is reported once per partition, by the consumer that owns it, across a rebalance."""

from __future__ import annotations

import uuid

from pipeline.harness import Pipeline, wait_until

from subshift.apply.metrics import ConsumerMetrics
from subshift.db.connect import PgConnection
from telemetry.pipeline_run import seed, state, upload

ROWS = 24


def _lag_partitions(metrics: ConsumerMetrics) -> set[str]:
    return {
        sample.labels["partition"]
        for family in metrics.registry.collect()
        if family.name == "subshift_consumer_lag"
        for sample in family.samples
    }


def test_a_consumer_stops_reporting_lag_for_partitions_it_gave_away(traced: Pipeline, pg: PgConnection) -> None:
    users = [f"lag-{uuid.uuid4().hex[:8]}-{k}" for k in range(ROWS)]
    seed(pg, users)
    quick = traced.settings.model_copy(update={
        "consumer": traced.settings.consumer.model_copy(update={"lag_interval_seconds": 0.2}),
    })
    migration_id = upload(traced, users)

    with traced.relay(), traced.consumer(quick) as first:
        wait_until(lambda: state(pg, migration_id) == "succeeded", timeout=120, what="the migration succeeded")
        wait_until(lambda: len(_lag_partitions(first)) > 3, timeout=30, what="the lone consumer reports its lag")
        with traced.consumer(quick):
            # The group splits the partitions; the first consumer keeps reporting only what it still owns.
            wait_until(lambda: len(_lag_partitions(first)) <= 3, timeout=60,
                       what="the first consumer drops the lag of partitions it gave away")
            assert 0 < len(_lag_partitions(first)) <= 3
