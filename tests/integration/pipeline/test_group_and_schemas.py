"""Two consumers share a group and apply everything once; events of older and newer compatible schemas apply."""

from __future__ import annotations

import copy
import datetime
import io
import json
import time
from collections.abc import Iterator
from typing import Any

import fastavro
import pytest
from confluent_kafka import Producer
from confluent_kafka.schema_registry import Schema, SchemaRegistryClient

from pipeline.harness import Pipeline, wait_until
from pipeline.seeding import (
    Row,
    assert_applied_exactly,
    assert_counters_match_items,
    is_terminal,
    new_scenario,
    offers_of,
    outcomes_of,
    seed_subscriptions,
    stage_migration,
    stage_mixed,
)
from subshift.apply.metrics import ConsumerMetrics
from subshift.config import Settings
from subshift.db.connect import PgConnection
from subshift.db.models import MigrationState
from subshift_client import wire
from subshift_client.records import UserOfferMigrationRequested


def _recorded(metrics: ConsumerMetrics) -> float:
    return sum(s.value for m in metrics.outcomes.collect() for s in m.samples if s.name.endswith("_total"))


def test_two_consumers_in_one_group_share_the_partitions_and_apply_everything_once(
        pipeline: Pipeline, pg: PgConnection) -> None:
    expected = stage_mixed(pg, 12_000, max_rows_per_second=6_000)

    with pipeline.consumer() as first, pipeline.consumer() as second:
        time.sleep(3)  # both members join before the events flow
        with pipeline.relay():
            wait_until(lambda: is_terminal(pg, expected.migration_id), timeout=180, what="the migration is terminal")

    assert _recorded(first) > 0 and _recorded(second) > 0
    assert _recorded(first) + _recorded(second) == 12_000  # each item recorded by exactly one member
    assert_applied_exactly(pg, expected)


def _older(schema: dict[str, Any]) -> dict[str, Any]:
    older = copy.deepcopy(schema)
    older["fields"] = [f for f in older["fields"] if f["name"] != "requested_by"]
    return older


def _newer(schema: dict[str, Any]) -> dict[str, Any]:
    newer = copy.deepcopy(schema)
    newer["fields"].append({"name": "channel", "type": "string", "default": "api", "doc": "Where the change began."})
    return newer


@pytest.fixture
def schema_versions(pipeline: Pipeline, settings: Settings) -> Iterator[dict[str, tuple[int, dict[str, Any]]]]:
    """An older and a newer compatible version registered under the test topic's own subject."""
    registry = SchemaRegistryClient(settings.registry.as_client_conf())
    subject = f"{pipeline.topic}-value"
    versions = {}
    for name, schema in (("older", _older(UserOfferMigrationRequested.SCHEMA)),
                         ("newer", _newer(UserOfferMigrationRequested.SCHEMA))):
        versions[name] = (registry.register_schema(subject, Schema(json.dumps(schema), "AVRO")), schema)
    yield versions
    registry.delete_subject(subject)
    registry.delete_subject(subject, permanent=True)


def test_events_written_with_an_older_and_a_newer_compatible_schema_are_both_applied(
        pipeline: Pipeline, pg: PgConnection, schema_versions: dict[str, tuple[int, dict[str, Any]]]) -> None:
    s = new_scenario(pg)
    users = [f"{s.prefix}-older", f"{s.prefix}-newer"]
    seed_subscriptions(pg, [(u, s.offers[0]) for u in users])
    migration_id = stage_migration(pg, [Row(u, s.offers[0], s.offers[1]) for u in users],
                                   state=MigrationState.APPLYING)
    with pg.cursor() as cur:  # the items' own event ids: the consumer applies only an item's own event
        cur.execute("SELECT event_id::text FROM migration_items WHERE migration_id = %s ORDER BY row_number",
                    (str(migration_id),))
        event_ids = [row[0] for row in cur.fetchall()]
    pg.rollback()
    producer = Producer(pipeline.settings.kafka.as_librdkafka())
    for row_number, (user, version) in enumerate(zip(users, ("older", "newer"), strict=True), start=2):
        schema_id, schema = schema_versions[version]
        datum = {"event_id": event_ids[row_number - 2], "migration_id": str(migration_id), "user_id": user,
                 "current_offer": s.offers[0], "target_offer": s.offers[1],
                 "requested_at": datetime.datetime.now(datetime.UTC), "requested_by": "tests",
                 "row_number": row_number, "channel": "batch"}
        body = io.BytesIO()
        fastavro.schemaless_writer(body, fastavro.parse_schema(schema), datum)
        producer.produce(pipeline.topic, key=user.encode(), value=wire.frame(schema_id, body.getvalue()))
    assert producer.flush(15) == 0

    with pipeline.consumer():
        wait_until(lambda: is_terminal(pg, migration_id), timeout=60, what="the migration is terminal")

    assert outcomes_of(pg, migration_id) == {"applied": 2}
    assert offers_of(pg, users) == {u: (s.offers[1], 2) for u in users}
    assert_counters_match_items(pg, migration_id)
