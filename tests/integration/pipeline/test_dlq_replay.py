"""`subshift dlq list` and `replay`: a fixed dead letter applies once; one that keeps failing stops being replayed."""

from __future__ import annotations

import datetime
import json
import subprocess
import sys
import uuid

from confluent_kafka import Producer

from pipeline.harness import REPO, Pipeline, wait_until
from pipeline.seeding import (
    Row,
    assert_counters_match_items,
    is_terminal,
    migration_row,
    new_scenario,
    offers_of,
    outcomes_of,
    seed_subscriptions,
    stage_migration,
)
from subshift.db.connect import PgConnection
from subshift.db.models import MigrationState
from subshift.deadletter.replay import DeadLetterFilter, list_dead_letters, replay_dead_letters
from subshift_client.fast_avro import FastAvroEncoder
from subshift_client.records import UserOfferMigrationRequested


def _send(pipeline: Pipeline, schema_id: int, migration_id: uuid.UUID, row_number: int, user: str,
          current: str, target: str, *, event_id: uuid.UUID | None = None) -> uuid.UUID:
    event = UserOfferMigrationRequested(
        event_id=event_id or uuid.uuid4(), migration_id=str(migration_id), user_id=user, current_offer=current,
        target_offer=target, requested_at=datetime.datetime.now(datetime.UTC), row_number=row_number)
    producer = Producer(pipeline.settings.kafka.as_librdkafka())
    producer.produce(pipeline.topic, key=user.encode(),
                     value=FastAvroEncoder(UserOfferMigrationRequested, schema_id).encode(event))
    assert producer.flush(15) == 0
    return event.event_id


def _own_event_id(pg: PgConnection, migration_id: uuid.UUID) -> uuid.UUID:
    """The event id of the migration's one item: only the item's own event may mark it dead-lettered."""
    with pg.cursor() as cur:
        cur.execute("SELECT event_id FROM migration_items WHERE migration_id = %s", (str(migration_id),))
        [event_id] = cur.fetchone() or (None,)
    pg.rollback()
    return uuid.UUID(str(event_id))


def test_a_dead_letter_replayed_after_the_fix_is_applied_once_and_a_second_replay_changes_nothing(
        pipeline: Pipeline, pg: PgConnection, event_schema_registered: int) -> None:
    s = new_scenario(pg)
    user = f"{s.prefix}-late"
    seed_subscriptions(pg, [(user, s.offers[0])])
    migration_id = stage_migration(pg, [], state=MigrationState.APPLYING)
    event_id = _send(pipeline, event_schema_registered, migration_id, 2, user, s.offers[0], s.offers[1])
    where = DeadLetterFilter(migration_id=migration_id)
    with pipeline.consumer():
        wait_until(lambda: len(list_dead_letters(pipeline.settings, where)) == 1, timeout=60,
                   what="the event for a missing item is dead-lettered")
        listed = subprocess.run([sys.executable, "-m", "subshift", "dlq", "list", "--migration", str(migration_id),
                                 "--output", "json"], env=pipeline.env(), cwd=REPO, capture_output=True, check=True)
        [row] = json.loads(listed.stdout)
        assert (row["reason"], row["row_number"], row["key"]) == ("unknown_item", 2, user)

        # The fix: the item now exists (the event's own: the consumer applies only an item's own event).
        with pg.cursor() as cur:
            cur.execute("INSERT INTO migration_items (migration_id, row_number, user_id, current_offer, target_offer, "
                        "event_id) VALUES (%s, 2, %s, %s, %s, %s)",
                        (str(migration_id), user, s.offers[0], s.offers[1], str(event_id)))
            # Its event is already on the topic (sent above), so it counts as published.
            cur.execute("UPDATE migrations SET staged = 1, rows_received = 1, published = 1, publish_cursor = 2 "
                        "WHERE id = %s",
                        (str(migration_id),))
        pg.commit()
        dry = replay_dead_letters(pipeline.settings, where, dry_run=True, by="test")
        assert (dry.matched, dry.replayed) == (1, 1)
        report = replay_dead_letters(pipeline.settings, where, dry_run=False, by="test")
        assert (report.replayed, report.exhausted) == (1, 0)
        wait_until(lambda: is_terminal(pg, migration_id), timeout=60, what="the replayed event is applied")
        again = replay_dead_letters(pipeline.settings, where, dry_run=False, by="test")

    assert (again.read, again.replayed) == (0, 0)  # resumed past what was replayed
    assert outcomes_of(pg, migration_id) == {"applied": 1}
    assert offers_of(pg, [user]) == {user: (s.offers[1], 2)}
    assert_counters_match_items(pg, migration_id)
    with pg.cursor() as cur:
        cur.execute("SELECT method, detail FROM audit_log WHERE migration_id = %s", (str(migration_id),))
        audits = cur.fetchall()
    pg.rollback()
    assert [(m, d["replaying"]) for m, d in audits] == [("dlq.replay", 1), ("dlq.replay", 0)]


def test_a_record_that_keeps_failing_stops_being_replayed(
        pipeline: Pipeline, pg: PgConnection, event_schema_registered: int) -> None:
    s = new_scenario(pg)
    user = f"{s.prefix}-bad"
    seed_subscriptions(pg, [(user, s.offers[0])])
    migration_id = stage_migration(pg, [Row(user, s.offers[0], s.offers[1])], state=MigrationState.APPLYING)
    _send(pipeline, event_schema_registered, migration_id, 2, user, s.offers[1], s.offers[1],  # invalid
          event_id=_own_event_id(pg, migration_id))
    where = DeadLetterFilter(migration_id=migration_id, reason="invalid_record")
    with pipeline.consumer():
        wait_until(lambda: is_terminal(pg, migration_id), timeout=60, what="the invalid event is dead-lettered")
        first = replay_dead_letters(pipeline.settings, where, dry_run=False, max_replays=1, by="test")
        wait_until(lambda: len(list_dead_letters(pipeline.settings, where)) == 2, timeout=60,
                   what="the replayed record is dead-lettered again")
        wait_until(lambda: is_terminal(pg, migration_id), timeout=60, what="the item is dead-lettered again")
        second = replay_dead_letters(pipeline.settings, where, dry_run=False, max_replays=1, by="test")

    assert (first.replayed, first.requeued_items) == (1, 1)
    assert (second.matched, second.replayed, second.exhausted) == (1, 0, 1)
    assert [r.info.replay_count for r in list_dead_letters(pipeline.settings, where)] == [0, 1]
    assert outcomes_of(pg, migration_id) == {"dead_lettered": 1}
    assert migration_row(pg, migration_id)["state"] == "succeeded_with_errors"
    assert_counters_match_items(pg, migration_id)


def _replay_cli(pipeline: Pipeline, *args: str) -> dict[str, object]:
    done = subprocess.run([sys.executable, "-m", "subshift", "dlq", "replay", *args, "--output", "json"],
                          env=pipeline.env(), cwd=REPO, capture_output=True, check=True)
    report: dict[str, object] = json.loads(done.stdout)
    return report


def test_a_record_is_replayed_at_most_max_replays_times_whatever_the_filter(
        pipeline: Pipeline, pg: PgConnection, event_schema_registered: int) -> None:
    s = new_scenario(pg)
    user = f"{s.prefix}-poison"
    seed_subscriptions(pg, [(user, s.offers[0])])
    migration_id = stage_migration(pg, [Row(user, s.offers[0], s.offers[1])], state=MigrationState.APPLYING)
    _send(pipeline, event_schema_registered, migration_id, 2, user, s.offers[1], s.offers[1],  # invalid
          event_id=_own_event_id(pg, migration_id))
    mine = DeadLetterFilter(migration_id=migration_id)
    by_reason = ["--migration", str(migration_id), "--reason", "invalid_record", "--max-replays", "2"]
    by_time = ["--migration", str(migration_id), "--since", "2000-01-01T00:00:00Z", "--max-replays", "2"]
    with pipeline.consumer():
        wait_until(lambda: is_terminal(pg, migration_id), timeout=60, what="the poison record is dead-lettered")
        dry = _replay_cli(pipeline, *by_reason, "--dry-run")
        first = _replay_cli(pipeline, *by_reason, "--by", "alice")
        wait_until(lambda: len(list_dead_letters(pipeline.settings, mine)) == 2, timeout=60,
                   what="the first copy is dead-lettered again")
        wait_until(lambda: is_terminal(pg, migration_id), timeout=60, what="the first copy's item is dead-lettered")
        # Another filter has its own group and reads the dead-letter topic from the start.
        second = _replay_cli(pipeline, *by_time, "--by", "bob")
        wait_until(lambda: len(list_dead_letters(pipeline.settings, mine)) == 3, timeout=60,
                   what="the second copy is dead-lettered again")
        wait_until(lambda: is_terminal(pg, migration_id), timeout=60, what="the second copy's item is dead-lettered")
        third = _replay_cli(pipeline, "--migration", str(migration_id), "--max-replays", "2", "--by", "carol")
        fourth = _replay_cli(pipeline, *by_reason, "--by", "alice")

    assert "replayed" not in dry and dry["would_replay"] == 1
    assert (first["replayed"], first["already_replayed"]) == (1, 0)
    assert (second["read"], second["replayed"], second["already_replayed"]) == (2, 1, 1)
    assert (third["read"], third["replayed"], third["already_replayed"], third["exhausted"]) == (3, 0, 2, 1)
    assert (fourth["replayed"], fourth["exhausted"]) == (0, 1)
    assert [r.info.replay_count for r in list_dead_letters(pipeline.settings, mine)] == [0, 1, 2]
    assert outcomes_of(pg, migration_id) == {"dead_lettered": 1}
    assert_counters_match_items(pg, migration_id)
    with pg.cursor() as cur:
        cur.execute("SELECT subject, detail FROM audit_log WHERE migration_id = %s AND method = 'dlq.replay' "
                    "ORDER BY id", (str(migration_id),))
        audits = [(subject, detail["replaying"]) for subject, detail in cur.fetchall()]
    pg.rollback()
    assert audits == [("alice", 1), ("bob", 1), ("carol", 0), ("alice", 0)]
    with pg.cursor() as cur:
        cur.execute("SELECT replay_count, replayed_by, produced, topic_id <> '' FROM dead_letter_replays "
                    "WHERE topic = %s ORDER BY replay_count", (pipeline.dead_letter_topic,))
        ledger = cur.fetchall()
    pg.rollback()
    assert ledger == [(0, "alice", True, True), (1, "bob", True, True)]  # the dead-letter topic's id is known


def test_a_replay_without_a_name_is_refused(pipeline: Pipeline) -> None:
    done = subprocess.run([sys.executable, "-m", "subshift", "dlq", "replay"], env=pipeline.env(), cwd=REPO,
                          capture_output=True, text=True, check=False)
    assert done.returncode == 2
    assert "pass --by NAME" in done.stderr
