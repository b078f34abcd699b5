"""An event is applied only if it repeats its staged item: a forged one is a dead letter and changes nothing.

Whoever can write to ``user-offers`` can name a real pending row; what they cannot know or change is
the item's event id, user and offers, and the consumer compares all four with the staged item.
"""

from __future__ import annotations

import datetime
import uuid

from confluent_kafka import Producer

from pipeline.harness import Pipeline, wait_until
from pipeline.seeding import (
    Row,
    assert_counters_match_items,
    is_terminal,
    new_scenario,
    offers_of,
    outcomes_of,
    seed_subscriptions,
    stage_migration,
)
from subshift.apply.metrics import ConsumerMetrics
from subshift.db.connect import PgConnection
from subshift.db.models import MigrationState
from subshift.deadletter.headers import parse_headers
from subshift_client.fast_avro import FastAvroEncoder
from subshift_client.records import UserOfferMigrationRequested


def _produce(pipeline: Pipeline, schema_id: int, event: UserOfferMigrationRequested) -> None:
    producer = Producer(pipeline.settings.kafka.as_librdkafka())
    producer.produce(pipeline.topic, key=event.user_id.encode(),
                     value=FastAvroEncoder(UserOfferMigrationRequested, schema_id).encode(event))
    assert producer.flush(15) == 0


def _event_id(pg: PgConnection, migration_id: uuid.UUID, row_number: int) -> uuid.UUID:
    with pg.cursor() as cur:
        cur.execute("SELECT event_id FROM migration_items WHERE migration_id = %s AND row_number = %s",
                    (str(migration_id), row_number))
        row = cur.fetchone()
    pg.rollback()
    assert row is not None
    return uuid.UUID(str(row[0]))


def test_a_forged_event_naming_a_pending_row_for_another_user_is_dead_lettered_and_changes_nothing(
        pipeline: Pipeline, pg: PgConnection, event_schema_registered: int) -> None:
    s = new_scenario(pg)
    a, b, *_ = s.offers
    staged_user, victim = f"{s.prefix}-staged", f"{s.prefix}-victim"
    seed_subscriptions(pg, [(staged_user, a), (victim, a)])
    migration_id = stage_migration(pg, [Row(staged_user, a, b)], state=MigrationState.APPLYING)
    forged = UserOfferMigrationRequested(  # the real row number and event id, another user
        event_id=_event_id(pg, migration_id, 2), migration_id=str(migration_id), user_id=victim, current_offer=a,
        target_offer=b, requested_at=datetime.datetime.now(datetime.UTC), row_number=2)
    _produce(pipeline, event_schema_registered, forged)

    with pipeline.consumer() as metrics:
        [record] = pipeline.read_all(pipeline.dead_letter_topic, expected=1, timeout=90)
        info = parse_headers(record.headers())  # type: ignore[attr-defined]
        wait_until(lambda: _dead_lettered(metrics, "mismatched_item") == 1, timeout=90,
                   what="the consumer counts the mismatched event")

    assert (info.reason, info.migration_id, info.row_number) == ("mismatched_item", str(migration_id), 2)
    assert "user_id differs" in info.exception_message
    assert victim not in info.exception_message and staged_user not in info.exception_message
    assert offers_of(pg, [staged_user, victim]) == {staged_user: (a, 1), victim: (a, 1)}
    assert outcomes_of(pg, migration_id) == {"pending": 1}  # the item still waits for its own event


def test_the_items_own_event_still_applies_after_a_forged_one_took_its_row_first(
        pipeline: Pipeline, pg: PgConnection, event_schema_registered: int) -> None:
    s = new_scenario(pg)
    a, b, c, _ = s.offers
    user = f"{s.prefix}-u"
    seed_subscriptions(pg, [(user, a)])
    migration_id = stage_migration(pg, [Row(user, a, b)])
    forged = UserOfferMigrationRequested(  # the same user, another target and a made-up event id
        event_id=uuid.uuid4(), migration_id=str(migration_id), user_id=user, current_offer=a, target_offer=c,
        requested_at=datetime.datetime.now(datetime.UTC), row_number=2)
    _produce(pipeline, event_schema_registered, forged)

    with pipeline.consumer(), pipeline.relay():
        wait_until(lambda: is_terminal(pg, migration_id), timeout=60, what="the migration is terminal")
        [record] = pipeline.read_all(pipeline.dead_letter_topic, expected=1, timeout=90)

    info = parse_headers(record.headers())  # type: ignore[attr-defined]
    assert info.reason == "mismatched_item"
    assert "event_id, target_offer differ" in info.exception_message
    assert outcomes_of(pg, migration_id) == {"applied": 1}
    assert offers_of(pg, [user]) == {user: (b, 2)}
    assert_counters_match_items(pg, migration_id)


def test_an_invalid_event_under_another_event_id_does_not_mark_the_item_dead_lettered(
        pipeline: Pipeline, pg: PgConnection, event_schema_registered: int) -> None:
    s = new_scenario(pg)
    a, b, *_ = s.offers
    user = f"{s.prefix}-u"
    seed_subscriptions(pg, [(user, a)])
    migration_id = stage_migration(pg, [Row(user, a, b)], state=MigrationState.APPLYING)
    forged = UserOfferMigrationRequested(  # current == target: invalid, and not the item's event id
        event_id=uuid.uuid4(), migration_id=str(migration_id), user_id=user, current_offer=b, target_offer=b,
        requested_at=datetime.datetime.now(datetime.UTC), row_number=2)
    _produce(pipeline, event_schema_registered, forged)

    with pipeline.consumer() as metrics:
        [record] = pipeline.read_all(pipeline.dead_letter_topic, expected=1, timeout=90)
        wait_until(lambda: _dead_lettered(metrics, "invalid_record") == 1, timeout=90,
                   what="the consumer has committed the dead letter")

    assert parse_headers(record.headers()).reason == "invalid_record"  # type: ignore[attr-defined]
    assert outcomes_of(pg, migration_id) == {"pending": 1}
    assert offers_of(pg, [user]) == {user: (a, 1)}


def _dead_lettered(metrics: ConsumerMetrics, reason: str) -> float:
    return sum(s.value for m in metrics.dead_lettered.collect() for s in m.samples
               if s.name.endswith("_total") and s.labels.get("reason") == reason)
