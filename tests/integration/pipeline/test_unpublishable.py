"""A migration whose events the broker can never take ends FAILED, saying why, with nothing applied after."""

from __future__ import annotations

from confluent_kafka.admin import AdminClient, AlterConfigOpType, ConfigEntry, ConfigResource, ResourceType

from pipeline.harness import Pipeline, wait_until
from pipeline.seeding import (
    Row,
    assert_counters_match_items,
    migration_row,
    new_scenario,
    outcomes_of,
    seed_subscriptions,
    stage_migration,
)
from subshift.db.connect import PgConnection

# Below a record batch's own overhead (61 bytes): the broker refuses every event, alone or batched.
_TOO_SMALL = "64"
_DEFAULT = "1048588"


def _limit_topic(admin: AdminClient, topic: str, max_message_bytes: str) -> None:
    resource = ConfigResource(ResourceType.TOPIC, topic, incremental_configs=[
        ConfigEntry("max.message.bytes", max_message_bytes, incremental_operation=AlterConfigOpType.SET)])
    for future in admin.incremental_alter_configs([resource]).values():
        future.result(timeout=15)

    def applied() -> bool:
        described = admin.describe_configs([ConfigResource(ResourceType.TOPIC, topic)])
        [entries] = [f.result(timeout=15) for f in described.values()]
        return bool(entries["max.message.bytes"].value == max_message_bytes)

    wait_until(applied, timeout=30, what=f"{topic} takes max.message.bytes={max_message_bytes}")


def test_a_migration_whose_events_exceed_the_brokers_limit_fails_and_says_why(
        pipeline: Pipeline, pg: PgConnection, kafka_admin: AdminClient) -> None:
    s = new_scenario(pg)
    users = [f"{s.prefix}-big-{n}" for n in range(5)]
    seed_subscriptions(pg, [(user, s.offers[0]) for user in users])
    migration_id = stage_migration(pg, [Row(user, s.offers[0], s.offers[1]) for user in users])
    _limit_topic(kafka_admin, pipeline.topic, _TOO_SMALL)

    with pipeline.relay():
        wait_until(lambda: migration_row(pg, migration_id)["state"] == "failed", timeout=120,
                   what="the migration fails")
        # The relay goes on: once the topic takes events again, the next migration is published.
        _limit_topic(kafka_admin, pipeline.topic, _DEFAULT)
        later = stage_migration(pg, [Row(users[0], s.offers[0], s.offers[1])])
        wait_until(lambda: migration_row(pg, later)["published"] == 1, timeout=120,
                   what="a later migration is published")

    row = migration_row(pg, migration_id)
    reason = str(row["state_reason"])
    assert reason.startswith(f"the event of row 2 is larger than topic {pipeline.topic} accepts (MSG_SIZE_TOO_LARGE)")
    assert "can never be published" in reason
    assert row["completed_at"] is not None
    assert (row["published"], row["cancelled"]) == (0, 5)
    assert outcomes_of(pg, migration_id) == {"cancelled": 5}  # nothing is left to apply after the end
    with pg.cursor() as cur:
        cur.execute("SELECT DISTINCT reason FROM migration_items WHERE migration_id = %s", (str(migration_id),))
        assert cur.fetchall() == [(f"not applied: the migration failed: {reason}",)]
    pg.rollback()
    assert_counters_match_items(pg, migration_id)
