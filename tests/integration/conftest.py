"""Fixtures for tests against the real local stack (``subshift stack up``).

Endpoints come from settings (``SUBSHIFT_KAFKA_BOOTSTRAP``, ``SUBSHIFT_REGISTRY_URL``,
``SUBSHIFT_DATABASE_URL``; the defaults match the stack). When a server cannot be reached the
whole session FAILS with the reason: an integration test never skips for lack of a server.

Reusable fixtures: ``settings``, ``kafka_admin``, ``schema_registry``, ``fresh_topic`` (a factory of
uniquely named topics, deleted afterwards with their subjects) and ``db_connection``.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import psycopg2
import pytest
from confluent_kafka import KafkaException
from confluent_kafka.admin import AdminClient, NewTopic  # type: ignore[attr-defined]  # re-exported, not in __all__
from confluent_kafka.schema_registry import SchemaRegistryClient
from confluent_kafka.schema_registry.error import SchemaRegistryError

from subshift.config import Settings, load_settings

TopicFactory = Callable[..., str]

_TIMEOUT = 15.0


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Everything under tests/integration carries the ``integration`` marker (``-m integration``)."""
    here = __file__.rsplit("/", 1)[0]
    for item in items:
        if str(item.path).startswith(here):
            item.add_marker(pytest.mark.integration)


def _unreachable(settings: Settings) -> list[str]:
    problems = []
    admin = AdminClient({**settings.kafka.as_librdkafka(), "log_level": 0})
    try:
        admin.list_topics(timeout=5)
    except KafkaException as error:
        problems.append(f"Kafka at {settings.kafka.bootstrap}: {error}")
    try:
        httpx.get(f"{settings.registry.url}/subjects", timeout=5).raise_for_status()
    except httpx.HTTPError as error:
        problems.append(f"registry at {settings.registry.url}: {error}")
    try:
        psycopg2.connect(settings.database.libpq_dsn(), connect_timeout=5).close()
    except psycopg2.Error as error:
        problems.append(f"PostgreSQL at {settings.database.redacted()}: {str(error).strip()}")
    return problems


@pytest.fixture(scope="session")
def settings() -> Settings:
    """Settings from the environment; fails the session when a stack server is unreachable."""
    loaded = load_settings()
    problems = _unreachable(loaded)
    if problems:
        pytest.fail(
            "the local stack is not reachable; start it with `.venv/bin/subshift stack up` "
            "(or point SUBSHIFT_* at a running one):\n  " + "\n  ".join(problems),
            pytrace=False,
        )
    return loaded


@pytest.fixture(scope="session")
def kafka_admin(settings: Settings) -> AdminClient:
    conf: dict[str, str | int | float | bool] = {**settings.kafka.as_librdkafka()}
    return AdminClient(conf)


@pytest.fixture(scope="session")
def schema_registry(settings: Settings) -> SchemaRegistryClient:
    return SchemaRegistryClient(settings.registry.as_client_conf())


def _wait(futures: dict[str, Any]) -> None:
    for future in futures.values():
        future.result(timeout=_TIMEOUT)


@pytest.fixture
def fresh_topic(kafka_admin: AdminClient, schema_registry: SchemaRegistryClient,
                request: pytest.FixtureRequest) -> Iterator[TopicFactory]:
    """A factory ``fresh_topic(partitions=1, config=None) -> name`` of new, uniquely named topics.

    The topics, and the registry subjects ``<topic>-key``/``<topic>-value`` if any were registered,
    are deleted when the test ends.
    """
    created: list[str] = []
    label = request.node.name.split("[")[0].removeprefix("test_")[:40].replace("_", "-")

    def make(partitions: int = 1, config: dict[str, str] | None = None) -> str:
        name = f"test-{label}-{uuid.uuid4().hex[:8]}"
        _wait(kafka_admin.create_topics(
            [NewTopic(name, num_partitions=partitions, replication_factor=-1, config=config or {})],
            operation_timeout=_TIMEOUT,
        ))
        created.append(name)
        return name

    yield make
    if created:
        _wait(kafka_admin.delete_topics(created, operation_timeout=_TIMEOUT))
    for topic in created:
        for subject in (f"{topic}-key", f"{topic}-value"):
            try:
                schema_registry.delete_subject(subject)
                schema_registry.delete_subject(subject, permanent=True)
            except SchemaRegistryError as error:
                if error.http_status_code != 404:
                    raise


@pytest.fixture
def db_connection(settings: Settings) -> Iterator[Any]:
    """A psycopg2 connection to Subshift's database; rolled back and closed afterwards."""
    connection = psycopg2.connect(settings.database.libpq_dsn())
    try:
        yield connection
    finally:
        connection.rollback()
        connection.close()
