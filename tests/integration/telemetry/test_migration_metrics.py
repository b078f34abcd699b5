"""Migrations by state, as Prometheus scrapes them from the API's registry, on the real PostgreSQL."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.parser import text_string_to_metric_families
from pydantic import SecretStr
from sqlalchemy import Engine, text

from subshift.config import DatabaseSettings
from subshift.db.engine import make_engine
from subshift.db.models import MigrationState
from subshift.observability.migration_metrics import register_migration_metrics


@pytest.fixture
def engine(telemetry_database: DatabaseSettings) -> Iterator[Engine]:
    engine = make_engine(telemetry_database)
    with engine.begin() as connection:
        connection.execute(text("TRUNCATE migrations CASCADE"))  # this session's own database
    yield engine
    engine.dispose()


def _scrape(registry: CollectorRegistry) -> dict[tuple[str, str], float]:
    exposition = generate_latest(registry).decode()
    return {
        (sample.name, sample.labels["state"]): sample.value
        for family in text_string_to_metric_families(exposition)
        for sample in family.samples
    }


def _insert(engine: Engine, state: MigrationState, *, idle: str) -> None:
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO migrations (id, content_sha256, state, created_by, updated_at) "
                "VALUES (:id, 'sha', :state, 'tests', now() - CAST(:idle AS interval))"
            ),
            {"id": uuid.uuid4(), "state": state.value, "idle": idle},
        )


def test_every_state_is_counted_and_stalls_are_measured_for_unfinished_ones(engine: Engine) -> None:
    _insert(engine, MigrationState.APPLYING, idle="2 hours")
    _insert(engine, MigrationState.APPLYING, idle="1 minute")
    _insert(engine, MigrationState.SUCCEEDED, idle="3 days")
    registry = CollectorRegistry()
    register_migration_metrics(registry, engine)

    samples = _scrape(registry)

    assert samples[("subshift_migrations", "applying")] == 2
    assert samples[("subshift_migrations", "succeeded")] == 1
    assert samples[("subshift_migrations", "pending")] == 0
    assert {state for name, state in samples if name == "subshift_migrations"} == {s.value for s in MigrationState}
    # The least recently progressing applying migration is two hours idle.
    assert 7190 <= samples[("subshift_migration_stalled_seconds", "applying")] <= 7300
    assert samples[("subshift_migration_stalled_seconds", "pending")] == 0
    # Finished migrations do not stall.
    assert ("subshift_migration_stalled_seconds", "succeeded") not in samples


def test_an_unreachable_database_leaves_the_gauges_empty_without_failing_the_scrape() -> None:
    unreachable = DatabaseSettings(url=SecretStr("postgresql+psycopg2://nobody:x@127.0.0.1:1/none"))
    engine = make_engine(unreachable)
    registry = CollectorRegistry()
    register_migration_metrics(registry, engine)

    exposition = generate_latest(registry).decode()

    assert "# TYPE subshift_migrations gauge" in exposition
    assert "subshift_migrations{" not in exposition
    engine.dispose()
