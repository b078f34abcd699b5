"""A fresh topic laid out like ``user-offers``, its value schema registered, and a sample record."""

from __future__ import annotations

import dataclasses
import datetime
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from confluent_kafka.schema_registry import SchemaRegistryClient

from subshift_client.records import UserOfferMigrationRequested
from subshift_client.registry import registered_schema_id
from subshift_client.topics import USER_OFFERS, TopicSpec


@pytest.fixture
def user_offers_like(fresh_topic: Any, schema_registry: SchemaRegistryClient) -> TopicSpec:
    """A fresh topic with the manifest's ``user-offers`` facts and its own subject, schema registered."""
    name = fresh_topic(partitions=USER_OFFERS.partitions)
    spec = dataclasses.replace(USER_OFFERS, name=name, value_subject=f"{name}-value", dead_letter_topic=None)
    assert spec.value_subject is not None
    registered_schema_id(schema_registry, spec.value_subject, UserOfferMigrationRequested, register=True)
    return spec


RecordFactory = Callable[..., UserOfferMigrationRequested]


@pytest.fixture
def sample() -> RecordFactory:
    """``sample(n, **changes)``: the n-th sample record (user ``u-<n>``), with fields changed."""
    return _sample


def _sample(n: int = 0, **changes: Any) -> UserOfferMigrationRequested:
    fields: dict[str, Any] = {
        "event_id": uuid.UUID(int=n + 1), "migration_id": "m-1", "user_id": f"u-{n:06d}", "current_offer": "basic",
        "target_offer": "gold", "requested_at": datetime.datetime(2026, 11, 25, 10, 0, n % 60, tzinfo=datetime.UTC),
        "requested_by": "ops@example.com", "row_number": n + 2,
    }
    return UserOfferMigrationRequested(**{**fields, **changes})
