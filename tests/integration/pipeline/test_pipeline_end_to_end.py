"""Relay → Kafka → consumer → PostgreSQL on the real stack: exact results, replays that change nothing."""

from __future__ import annotations

from confluent_kafka import Consumer, ConsumerGroupTopicPartitions, TopicPartition
from confluent_kafka.admin import AdminClient

from pipeline.harness import Pipeline, wait_until
from pipeline.seeding import assert_applied_exactly, is_terminal, offers_of, stage_mixed
from subshift.db.connect import PgConnection


def _high_watermarks(pipeline: Pipeline) -> dict[int, int]:
    consumer = Consumer({**pipeline.settings.kafka.as_librdkafka(), "group.id": "watermarks"})
    try:
        return {p: consumer.get_watermark_offsets(TopicPartition(pipeline.topic, p), timeout=10)[1]
                for p in range(6)}
    finally:
        consumer.close()


def _committed(admin: AdminClient, pipeline: Pipeline) -> dict[int, int]:
    request = ConsumerGroupTopicPartitions(pipeline.settings.consumer.group_id)
    result = admin.list_consumer_group_offsets([request])[pipeline.settings.consumer.group_id].result(timeout=15)
    return {tp.partition: tp.offset for tp in result.topic_partitions if tp.topic == pipeline.topic}


def test_a_ten_thousand_row_migration_applies_exactly(pipeline: Pipeline, pg: PgConnection) -> None:
    expected = stage_mixed(pg, 10_000)

    with pipeline.relay(), pipeline.consumer():
        wait_until(lambda: is_terminal(pg, expected.migration_id), timeout=180, what="the migration is terminal")

    assert_applied_exactly(pg, expected)
    assert pipeline.read_all(pipeline.dead_letter_topic, expected=0, timeout=2) == []


def test_consuming_everything_again_from_the_earliest_offset_changes_nothing(
        pipeline: Pipeline, pg: PgConnection, kafka_admin: AdminClient) -> None:
    expected = stage_mixed(pg, 2_000)
    with pipeline.relay(), pipeline.consumer():
        wait_until(lambda: is_terminal(pg, expected.migration_id), timeout=120, what="the migration is terminal")
    before = offers_of(pg, expected.users)
    high = _high_watermarks(pipeline)
    assert sum(high.values()) >= 2_000

    # Reset the group to the earliest offsets, in Kafka and in the database, and consume it all again.
    group = pipeline.settings.consumer.group_id
    reset = ConsumerGroupTopicPartitions(group, [TopicPartition(pipeline.topic, p, 0) for p in range(6)])
    kafka_admin.alter_consumer_group_offsets([reset])[group].result(timeout=15)
    with pg.cursor() as cur:
        cur.execute("DELETE FROM consumer_offsets WHERE group_id = %s", (group,))
    pg.commit()
    with pipeline.consumer() as metrics:
        wait_until(lambda: _committed(kafka_admin, pipeline) == {p: o for p, o in high.items() if o > 0},
                   timeout=120, what="the group has consumed everything again")
        replayed = metrics.consumed.labels(topic=pipeline.topic)._value.get()

    assert replayed >= 2_000
    assert offers_of(pg, expected.users) == before
    assert_applied_exactly(pg, expected)
