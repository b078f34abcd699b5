"""Where a benchmark runs: its own database, its own topics and consumer groups, its own files.

Nothing another engineer or test uses is touched: the database ``subshift_bench`` is dropped
and created anew at the start of a run, topics carry a per-run prefix (the same
``SUBSHIFT_KAFKA_TOPIC_PREFIX`` mechanism the pipeline tests use, so names still come from the
manifest) and are deleted at the end, and every run writes under ``<state_dir>/bench/<stamp>/``.
"""

from __future__ import annotations

import re
import uuid
from pathlib import Path

import psycopg2
from confluent_kafka.admin import AdminClient
from confluent_kafka.schema_registry import SchemaRegistryClient
from pydantic import SecretStr
from sqlalchemy.engine import make_url

from subshift.config import DatabaseSettings, Settings
from subshift.db.upgrade import upgrade
from subshift.errors import DataError, InfrastructureError
from subshift.messaging.topics_admin import admin_client, ensure_topics, prefixed
from subshift_client.records import UserOfferMigrationRequested
from subshift_client.registry import registered_schema_id
from subshift_client.topics import ALL_TOPICS, USER_OFFERS

__all__ = ["BENCH_DATABASE", "create_topics", "fresh_database", "isolated", "register_event_schema", "remove_topics"]

BENCH_DATABASE = "subshift_bench"
_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")


def _admin_connection(settings: Settings) -> psycopg2.extensions.connection:
    try:
        connection = psycopg2.connect(settings.database.libpq_dsn(), connect_timeout=5)
    except psycopg2.OperationalError as error:
        raise InfrastructureError(
            f"cannot reach PostgreSQL at {settings.database.redacted()}: {str(error).strip()}; "
            "start the stack with `subshift stack up`", retryable=True) from error
    connection.autocommit = True
    return connection


def fresh_database(settings: Settings, name: str = BENCH_DATABASE) -> DatabaseSettings:
    """Drop and create database ``name`` beside the configured one, migrated to head.

    Raises:
        DataError: ``name`` is not a plain lower-case identifier, or is the configured database itself.
        InfrastructureError: PostgreSQL is unreachable.
    """
    if not _NAME.fullmatch(name):
        raise DataError(f"database name {name!r} must be lower-case letters, digits and _", column="database",
                        rule="identifier")
    if name == make_url(settings.database.sqlalchemy_url()).database:
        raise DataError(f"the bench drops and recreates its database; {name!r} is Subshift's own database, "
                        "choose another (default subshift_bench)", column="database", rule="own_database")
    connection = _admin_connection(settings)
    try:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            cursor.execute(f'CREATE DATABASE "{name}"')
    finally:
        connection.close()
    url = make_url(settings.database.sqlalchemy_url()).set(database=name).render_as_string(hide_password=False)
    database = DatabaseSettings(url=SecretStr(url), pool_size=settings.database.pool_size)
    upgrade(database)
    return database


def isolated(settings: Settings, database: DatabaseSettings, state_dir: Path) -> Settings:
    """``settings`` pointed at the bench database, a fresh topic prefix and consumer group, no metrics ports."""
    tag = uuid.uuid4().hex[:8]
    return settings.model_copy(update={
        "state_dir": state_dir,
        "database": database,
        "kafka": settings.kafka.model_copy(update={"topic_prefix": f"bench-{tag}."}),
        "consumer": settings.consumer.model_copy(update={"group_id": f"bench-apply-{tag}", "metrics_port": 0}),
        "relay": settings.relay.model_copy(update={"metrics_port": 0}),
        "api": settings.api.model_copy(update={"metrics_port": 0}),
    })


def create_topics(settings: Settings) -> list[str]:
    """Create the manifest's topics under the run's prefix (``user-offers``, its dead-letter topic, …).

    Raises:
        InfrastructureError: Kafka is unreachable or refused.
    """
    specs = prefixed(ALL_TOPICS, settings.kafka.topic_prefix)
    ensure_topics(admin_client(settings.kafka), specs, dry_run=False)
    return [spec.name for spec in specs]


def remove_topics(admin: AdminClient, names: list[str]) -> None:
    """Delete the run's topics (best effort: a leftover topic is harmless, only untidy)."""
    if not names:
        return
    for future in admin.delete_topics(names, operation_timeout=30).values():
        try:
            future.result(timeout=30)
        except Exception:  # noqa: S112 - already gone, or the broker is busy; nothing depends on it
            continue


def register_event_schema(settings: Settings) -> int:
    """The event schema's id under the manifest's subject, registered if missing (as `contracts publish` does)."""
    assert USER_OFFERS.value_subject is not None
    registry = SchemaRegistryClient(settings.registry.as_client_conf())
    return registered_schema_id(registry, USER_OFFERS.value_subject, UserOfferMigrationRequested, register=True)
