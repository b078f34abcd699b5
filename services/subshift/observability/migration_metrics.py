"""Migrations by state, read from the database when Prometheus scrapes (a custom collector).

Two gauges, both labelled by ``state``:

- ``subshift_migrations``: how many migrations are in each state (every state, 0 when none).
- ``subshift_migration_stalled_seconds``: for the non-terminal states, the time since the
  least recently progressing migration in that state last changed (``updated_at`` moves with
  every staged, published or applied batch); 0 when none is in that state. The "migration
  stuck" alert watches it.

The numbers come from one grouped query per scrape (an index on ``state`` serves it), so they
are the same whichever API replica is scraped. A database failure leaves the two families
empty for that scrape and is logged; it never fails the scrape of the process's other metrics.
"""

from __future__ import annotations

from collections.abc import Iterator

from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector, CollectorRegistry
from sqlalchemy import Engine, text
from sqlalchemy.exc import SQLAlchemyError

from subshift.db.models import MigrationState
from subshift.observability.logs import get_logger

__all__ = ["MigrationStateCollector", "register_migration_metrics"]

_log = get_logger("subshift.metrics")

_QUERY = text(
    "SELECT state, count(*), EXTRACT(EPOCH FROM now() - min(updated_at)) FROM migrations GROUP BY state"
)
# A scrape must not wait on a busy database: give up and leave the gauges empty instead.
_TIMEOUT = text("SET LOCAL statement_timeout = '2s'")


class MigrationStateCollector(Collector):
    """Prometheus collector of migrations by state (see the module docstring)."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def collect(self) -> Iterator[GaugeMetricFamily]:
        counts = GaugeMetricFamily("subshift_migrations", "Migrations in each state.", labels=["state"])
        stalled = GaugeMetricFamily(
            "subshift_migration_stalled_seconds",
            "Seconds since the least recently progressing migration in a non-terminal state changed.",
            labels=["state"],
        )
        try:
            rows = self._read()
        except SQLAlchemyError as error:
            _log.warning("metrics.migrations_unreadable", error=str(error).splitlines()[0])
            yield counts
            yield stalled
            return
        for state in MigrationState:
            count, oldest = rows.get(state.value, (0, 0.0))
            counts.add_metric([state.value], count)
            if not state.terminal:
                stalled.add_metric([state.value], oldest)
        yield counts
        yield stalled

    def describe(self) -> Iterator[GaugeMetricFamily]:
        # Describing must not touch the database (registration calls it).
        return iter(())

    def _read(self) -> dict[str, tuple[int, float]]:
        with self._engine.begin() as connection:
            connection.execute(_TIMEOUT)
            result = connection.execute(_QUERY)
            return {str(state): (int(count), max(0.0, float(age or 0))) for state, count, age in result}


def register_migration_metrics(registry: CollectorRegistry, engine: Engine) -> MigrationStateCollector:
    """Add the migrations-by-state gauges to a process's registry (the API's)."""
    collector = MigrationStateCollector(engine)
    registry.register(collector)
    return collector
