"""Events written by hand: a newer, compatible version of the event schema (a new optional field)."""

from __future__ import annotations

import functools
import io
import json
import uuid
from collections.abc import Callable
from typing import Any

import fastavro
from confluent_kafka import Producer
from confluent_kafka.schema_registry import Schema, SchemaRegistryClient

from faultkit.world import World
from subshift.outbox.claim import mark_published
from subshift_client import wire
from subshift_client.records import UserOfferMigrationRequested
from subshift_client.topics import USER_OFFERS

__all__ = ["newer_schema", "publish_with_newer_schema", "register_newer_schema"]


def newer_schema() -> dict[str, Any]:
    """The event schema plus an optional ``channel`` field (compatible in every direction)."""
    schema: dict[str, Any] = json.loads(UserOfferMigrationRequested.SCHEMA_JSON)
    schema["fields"].append({"name": "channel", "type": ["null", "string"], "default": None,
                             "doc": "Where the request came from (a field only newer writers know)."})
    return schema


def register_newer_schema(world: World) -> int:
    registry = SchemaRegistryClient(world.settings.registry.as_client_conf())
    assert USER_OFFERS.value_subject is not None
    return int(registry.register_schema(USER_OFFERS.value_subject, Schema(json.dumps(newer_schema()), "AVRO")))


def publish_with_newer_schema(world: World, migration_id: str, schema_id: int) -> int:
    """Publish every staged item of a migration as a newer-schema event and move its publish cursor past them,
    as the relay would (its own ``mark_published``); returns how many."""
    parsed = fastavro.parse_schema(newer_schema())
    producer = Producer(world.settings.kafka.as_librdkafka())
    delivered: list[int] = []
    conn = world.connect()
    with conn.cursor() as cur:
        cur.execute("SELECT publish_cursor FROM migrations WHERE id = %s", (migration_id,))
        start = int(cur.fetchone()[0])
        cur.execute("SELECT i.row_number, i.event_id, i.user_id, i.current_offer, i.target_offer, m.created_at, "
                    "m.created_by FROM migration_items i JOIN migrations m ON m.id = i.migration_id "
                    "WHERE i.migration_id = %s AND i.event_id IS NOT NULL ORDER BY i.row_number", (migration_id,))
        items = cur.fetchall()
    conn.rollback()

    def report(row: int, event: str, error: object, message: Any) -> None:
        assert error is None, error
        delivered.append(row)

    for row, event, user, current, target, created_at, created_by in items:
        buffer = io.BytesIO()
        fastavro.schemaless_writer(buffer, parsed, {
            "event_id": str(event), "migration_id": migration_id, "user_id": user, "current_offer": current,
            "target_offer": target, "requested_at": created_at, "requested_by": created_by, "row_number": row,
            "channel": "faults"})
        producer.produce(world.pipeline.topic, key=user.encode(), value=wire.frame(schema_id, buffer.getvalue()),
                         on_delivery=functools.partial(_acknowledge, report, row, str(event)))
    assert producer.flush(30) == 0
    mark_published(conn, {uuid.UUID(migration_id): (start, max(delivered), len(delivered))})
    conn.commit()
    conn.close()
    return len(delivered)


def _acknowledge(report: Callable[[int, str, object, Any], None], row: int, event: str, error: object,
                 message: Any) -> None:
    report(row, event, error, message)
