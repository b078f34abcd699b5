from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from confluent_kafka.admin import AdminClient
from confluent_kafka.schema_registry import SchemaRegistryClient

from pipeline.harness import Pipeline, create_topics
from subshift.config import DatabaseSettings, Settings
from subshift.db.connect import PgConnection, connect
from subshift_client.records import UserOfferMigrationRequested
from subshift_client.registry import registered_schema_id
from subshift_client.topics import USER_OFFERS
from tests.integration.scratch_db import scratch_database


@pytest.fixture(scope="session")
def pipeline_database(settings: Settings) -> Iterator[DatabaseSettings]:
    """A database of the pipeline tests' own, migrated to head, dropped at the end of the session."""
    with scratch_database(settings, "subshift_pipeline") as database:
        yield database


@pytest.fixture(scope="session")
def event_schema_registered(settings: Settings) -> int:
    """The event schema registered under the manifest's subject (what `contracts publish` does)."""
    registry = SchemaRegistryClient(settings.registry.as_client_conf())
    assert USER_OFFERS.value_subject is not None
    return registered_schema_id(registry, USER_OFFERS.value_subject, UserOfferMigrationRequested, register=True)


@pytest.fixture
def pg(pipeline_database: DatabaseSettings) -> Iterator[PgConnection]:
    """A connection to the pipeline tests' database (not autocommit), closed afterwards."""
    conn = connect(pipeline_database, application_name="pipeline-tests")
    yield conn
    conn.close()


@pytest.fixture
def pipeline(settings: Settings, pipeline_database: DatabaseSettings, kafka_admin: AdminClient,
             event_schema_registered: int) -> Iterator[Pipeline]:
    """Settings for one test: its own topic prefix and consumer group, the pipeline database, no metrics ports."""
    tag = uuid.uuid4().hex[:8]
    isolated = settings.model_copy(update={
        "database": pipeline_database,
        "kafka": settings.kafka.model_copy(update={"topic_prefix": f"test-{tag}."}),
        "consumer": settings.consumer.model_copy(update={"group_id": f"test-apply-{tag}", "metrics_port": 0,
                                                         "retry_cap_seconds": 2.0}),
        "relay": settings.relay.model_copy(update={"metrics_port": 0, "register_schema": True,
                                                   "retry_cap_seconds": 2.0}),
    })
    names = create_topics(kafka_admin, isolated)
    yield Pipeline(isolated)
    for future in kafka_admin.delete_topics(names, operation_timeout=15).values():
        future.result(timeout=15)
