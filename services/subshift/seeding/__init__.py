"""Deterministic demo data: an offers catalog, subscribers spread over it, and migration CSVs.

The same ``(subscribers, offers, seed)`` always gives the same catalog, the same offer for
every subscriber and the same CSV, so the demo, the benchmark and the tests can predict
every count without asking the database.
"""

from __future__ import annotations

from subshift.seeding.catalog import DemoCatalog, DemoOffer, build_catalog
from subshift.seeding.csvfile import BadRowKind, CsvSummary, write_migration_csv
from subshift.seeding.load import LoadSummary, load_demo_data
from subshift.seeding.population import Population, build_population, user_id

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
