"""Records that can never be applied land on the dead-letter topic with Spring-compatible headers; the rest applies."""

from __future__ import annotations

import datetime
import os
import struct
import uuid

from confluent_kafka import Producer

from pipeline.harness import Pipeline, wait_until
from pipeline.seeding import (
    Row,
    assert_applied_exactly,
    assert_counters_match_items,
    is_terminal,
    migration_row,
    new_scenario,
    offers_of,
    outcomes_of,
    seed_subscriptions,
    stage_migration,
    stage_mixed,
)
from subshift.db.connect import PgConnection
from subshift.db.models import MigrationState
from subshift.deadletter.headers import (
    ORIGINAL_OFFSET,
    ORIGINAL_PARTITION,
    ORIGINAL_TOPIC,
    parse_headers,
)
from subshift_client import wire
from subshift_client.fast_avro import FastAvroEncoder
from subshift_client.records import UserOfferMigrationRequested

UNKNOWN_SCHEMA_ID = 2_000_000_000


def _poison(pipeline: Pipeline) -> dict[bytes, tuple[int, bytes]]:
    """Produce poison records (key → (partition, value)): random bytes, a wrong magic byte, an unknown schema id."""
    poison = {
        b"poison-random": (1, b"\xde\xad" + os.urandom(62)),  # bytes from somewhere else entirely
        b"poison-magic": (2, b"\x07" + wire.frame(1, b"\x00")[1:]),
        b"poison-unknown-schema": (3, wire.frame(UNKNOWN_SCHEMA_ID, b"\x02\x04ab")),
        b"poison-empty": (4, b""),
    }
    producer = Producer(pipeline.settings.kafka.as_librdkafka())
    for key, (partition, value) in poison.items():
        producer.produce(pipeline.topic, key=key, value=value, partition=partition)
    assert producer.flush(15) == 0
    return poison


def test_poison_records_are_dead_lettered_with_their_reason_and_the_consumer_keeps_going(
        pipeline: Pipeline, pg: PgConnection) -> None:
    poison = _poison(pipeline)
    expected = stage_mixed(pg, 500)

    with pipeline.relay(), pipeline.consumer() as metrics:
        wait_until(lambda: is_terminal(pg, expected.migration_id), timeout=120, what="the migration is terminal")
        dead = pipeline.read_all(pipeline.dead_letter_topic, expected=len(poison))

    assert_applied_exactly(pg, expected)
    assert len(dead) == len(poison)
    reasons = {}
    for record in dead:
        key = record.key()  # type: ignore[attr-defined]
        partition, value = poison[key]
        headers = record.headers()  # type: ignore[attr-defined]
        raw = dict(headers)
        info = parse_headers(headers)
        assert record.partition() == partition  # type: ignore[attr-defined]  # same partition number
        assert record.value() == value  # type: ignore[attr-defined]  # the original bytes
        assert raw[ORIGINAL_TOPIC] == pipeline.topic.encode()
        assert raw[ORIGINAL_PARTITION] == struct.pack(">i", partition)
        assert len(raw[ORIGINAL_OFFSET]) == 8
        assert info.original_offset == 0
        assert info.consumer_group == pipeline.settings.consumer.group_id
        assert info.exception_fqcn.endswith("UndecodableValueError")
        assert info.exception_message
        assert info.attempts == 1 and info.consumer_version
        reasons[key] = info.reason
    assert reasons == {
        b"poison-random": "wrong_magic_byte",
        b"poison-magic": "wrong_magic_byte",
        b"poison-unknown-schema": "unknown_schema_id",
        b"poison-empty": "no_value",
    }
    assert sum(s.value for m in metrics.dead_lettered.collect() for s in m.samples
               if s.name.endswith("_total")) == len(poison)


def test_an_event_whose_item_does_not_exist_is_dead_lettered(pipeline: Pipeline, pg: PgConnection) -> None:
    expected = stage_mixed(pg, 10)
    with pg.cursor() as cur:  # an event for a row the migration does not have
        cur.execute("INSERT INTO migration_items (migration_id, row_number, user_id, current_offer, target_offer) "
                    "SELECT migration_id, 999999, user_id, current_offer, target_offer FROM migration_items "
                    "WHERE migration_id = %s AND row_number = 2", (str(expected.migration_id),))
        cur.execute("UPDATE migrations SET staged = staged + 1 WHERE id = %s", (str(expected.migration_id),))
    pg.commit()
    with pipeline.relay():
        wait_until(lambda: _published(pg, expected.migration_id) == 11, timeout=60, what="all 11 are published")
    with pg.cursor() as cur:
        cur.execute("DELETE FROM migration_items WHERE migration_id = %s AND row_number = 999999",
                    (str(expected.migration_id),))
        cur.execute("UPDATE migrations SET published = published - 1, staged = staged - 1 WHERE id = %s",
                    (str(expected.migration_id),))
    pg.commit()

    with pipeline.consumer():
        wait_until(lambda: is_terminal(pg, expected.migration_id), timeout=60, what="the migration is terminal")
        dead = pipeline.read_all(pipeline.dead_letter_topic, expected=1)

    assert_applied_exactly(pg, expected)
    assert [parse_headers(r.headers()).reason for r in dead] == ["unknown_item"]  # type: ignore[attr-defined]


def _published(pg: PgConnection, migration_id: object) -> int:
    with pg.cursor() as cur:
        cur.execute("SELECT published FROM migrations WHERE id = %s", (str(migration_id),))
        row = cur.fetchone()
    pg.rollback()
    return int(row[0]) if row else 0


def test_a_valid_frame_with_an_invalid_event_is_dead_lettered_and_its_item_says_so(
        pipeline: Pipeline, pg: PgConnection, event_schema_registered: int) -> None:
    s = new_scenario(pg)
    user = f"{s.prefix}-u"
    seed_subscriptions(pg, [(user, s.offers[0])])
    migration_id = stage_migration(pg, [Row(user, s.offers[0], s.offers[1])], state=MigrationState.APPLYING)
    with pg.cursor() as cur:  # the item's own event, corrupted: only it may mark the item dead-lettered
        cur.execute("SELECT event_id FROM migration_items WHERE migration_id = %s", (str(migration_id),))
        [event_id] = cur.fetchone() or (None,)
    pg.rollback()
    event = UserOfferMigrationRequested(  # current == target: a record no compare-and-set can apply
        event_id=uuid.UUID(str(event_id)), migration_id=str(migration_id), user_id=user, current_offer=s.offers[1],
        target_offer=s.offers[1], requested_at=datetime.datetime.now(datetime.UTC), row_number=2)
    producer = Producer(pipeline.settings.kafka.as_librdkafka())
    producer.produce(pipeline.topic, key=user.encode(), partition=5,
                     value=FastAvroEncoder(UserOfferMigrationRequested, event_schema_registered).encode(event))
    assert producer.flush(15) == 0

    with pipeline.consumer():
        wait_until(lambda: is_terminal(pg, migration_id), timeout=60, what="the migration is terminal")
        dead = pipeline.read_all(pipeline.dead_letter_topic, expected=1)

    [record] = dead
    info = parse_headers(record.headers())  # type: ignore[attr-defined]
    assert (info.reason, info.migration_id, info.row_number) == ("invalid_record", str(migration_id), 2)
    assert "current_offer and target_offer" in info.exception_message
    assert outcomes_of(pg, migration_id) == {"dead_lettered": 1}
    assert migration_row(pg, migration_id)["state"] == "succeeded_with_errors"
    assert_counters_match_items(pg, migration_id)
    with pg.cursor() as cur:
        cur.execute("SELECT dlt_partition, dlt_offset FROM migration_items WHERE migration_id = %s",
                    (str(migration_id),))
        assert cur.fetchone() == (5, record.offset())  # type: ignore[attr-defined]
    pg.rollback()
    assert offers_of(pg, [user]) == {user: (s.offers[0], 1)}
