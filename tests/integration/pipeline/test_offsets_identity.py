"""Stored offsets count one topic on one cluster: after the topic is recreated, or when they lie beyond
a partition's end, the consumer reads the partition again (loudly) instead of skipping new events."""

from __future__ import annotations

import time

from confluent_kafka import KafkaException
from confluent_kafka.admin import AdminClient, NewTopic
from structlog.testing import capture_logs

from pipeline.harness import Pipeline, wait_until
from pipeline.seeding import assert_applied_exactly, is_terminal, stage_mixed
from subshift.apply.metrics import ConsumerMetrics
from subshift.db.connect import PgConnection
from subshift.messaging.topic_names import user_offers_topic


def _stored_offsets(pg: PgConnection, pipeline: Pipeline) -> dict[int, tuple[int, str | None, str | None]]:
    with pg.cursor() as cur:
        cur.execute("SELECT partition, next_offset, cluster_id, topic_id FROM consumer_offsets "
                    "WHERE group_id = %s AND topic = %s", (pipeline.settings.consumer.group_id, pipeline.topic))
        rows = {int(p): (int(o), c, t) for p, o, c, t in cur.fetchall()}
    pg.rollback()
    return rows


def _recreate_topic(admin: AdminClient, pipeline: Pipeline) -> None:
    name = pipeline.topic
    admin.delete_topics([name], operation_timeout=15)[name].result(timeout=15)
    spec = user_offers_topic(pipeline.settings.kafka)
    deadline = time.monotonic() + 60
    while True:  # the deletion completes on the brokers a little after it is acknowledged
        try:
            admin.create_topics([NewTopic(name, num_partitions=spec.partitions, replication_factor=-1)],
                                operation_timeout=15)[name].result(timeout=15)
            return
        except KafkaException:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def _resets(metrics: ConsumerMetrics, pipeline: Pipeline, reason: str) -> float:
    value: float = metrics.offsets_reset.labels(topic=pipeline.topic, reason=reason)._value.get()
    return value


def test_a_recreated_topic_is_read_again_and_its_migration_applies_every_row(
        pipeline: Pipeline, pg: PgConnection, kafka_admin: AdminClient) -> None:
    first = stage_mixed(pg, 600)
    with pipeline.relay(), pipeline.consumer():
        wait_until(lambda: is_terminal(pg, first.migration_id), timeout=120, what="the first migration is terminal")
    before = _stored_offsets(pg, pipeline)
    assert before and all(cluster and topic_id for _, cluster, topic_id in before.values())

    _recreate_topic(kafka_admin, pipeline)
    second = stage_mixed(pg, 120)  # fewer events than before: all of them at offsets below the stored ones
    with capture_logs() as logs, pipeline.relay(), pipeline.consumer() as metrics:
        wait_until(lambda: is_terminal(pg, second.migration_id), timeout=120,
                   what="the migration on the recreated topic is terminal")
        resets = _resets(metrics, pipeline, "topic_changed")

    assert_applied_exactly(pg, second)
    mismatches = [e for e in logs if e["event"] == "consumer.stored_offset_mismatch"]
    assert {e["partition"] for e in mismatches} == set(before)
    assert {e["reason"] for e in mismatches} == {"topic_changed"}
    assert all(e["log_level"] == "error" and e["stored_topic_id"] != e["topic_id"] for e in mismatches)
    assert resets == len(before)
    after = _stored_offsets(pg, pipeline)
    assert {topic_id for _, _, topic_id in after.values()} != {topic_id for _, _, topic_id in before.values()}


def test_stored_offsets_beyond_the_partitions_end_are_not_trusted(pipeline: Pipeline, pg: PgConnection) -> None:
    first = stage_mixed(pg, 300)
    with pipeline.relay(), pipeline.consumer():
        wait_until(lambda: is_terminal(pg, first.migration_id), timeout=120, what="the first migration is terminal")
    with pg.cursor() as cur:
        cur.execute("UPDATE consumer_offsets SET next_offset = next_offset + 100000 WHERE group_id = %s",
                    (pipeline.settings.consumer.group_id,))
        moved = cur.rowcount
    pg.commit()
    assert moved > 0

    second = stage_mixed(pg, 300)
    with capture_logs() as logs, pipeline.relay(), pipeline.consumer() as metrics:
        wait_until(lambda: is_terminal(pg, second.migration_id), timeout=120,
                   what="the migration after the offsets moved beyond the end is terminal")
        resets = _resets(metrics, pipeline, "beyond_end")

    assert_applied_exactly(pg, second)
    mismatches = [e for e in logs if e["event"] == "consumer.stored_offset_mismatch"]
    assert len(mismatches) == moved
    assert all(e["reason"] == "beyond_end" and e["stored_offset"] > e["high_watermark"] for e in mismatches)
    assert resets == moved
    assert all(offset < 100000 for offset, _, _ in _stored_offsets(pg, pipeline).values())
