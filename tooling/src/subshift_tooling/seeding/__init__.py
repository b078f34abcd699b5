"""Deterministic demo data: an offers catalog, subscribers spread over it, and migration CSVs.

The same ``(subscribers, offers, seed)`` always gives the same catalog, the same offer for
every subscriber and the same CSV, so the demo, the benchmark and the tests can predict
every count without asking the database.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from subshift_tooling.seeding.catalog import DemoCatalog, DemoOffer, build_catalog
from subshift_tooling.seeding.csvfile import BadRowKind, CsvSummary, write_migration_csv
from subshift_tooling.seeding.population import Population, build_population, user_id

if TYPE_CHECKING:
    from subshift_tooling.seeding.load import LoadSummary, load_demo_data

__all__ = [
    "BadRowKind",
    "CsvSummary",
    "DemoCatalog",
    "DemoOffer",
    "LoadSummary",
    "Population",
    "build_catalog",
    "build_population",
    "load_demo_data",
    "user_id",
    "write_migration_csv",
]


def __getattr__(name: str) -> Any:
    # The loader needs SQLAlchemy's models (about half a second to import): loaded on first use.
    if name in ("LoadSummary", "load_demo_data"):
        from subshift_tooling.seeding import load

        return getattr(load, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
