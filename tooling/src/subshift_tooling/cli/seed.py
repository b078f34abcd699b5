"""`subshift seed`: deterministic demo data in PostgreSQL and, optionally, a migration CSV."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.table import Table

from subshift.config import load_settings
from subshift_tooling.seeding import CsvSummary, build_catalog, build_population, write_migration_csv

if TYPE_CHECKING:
    from subshift_tooling.seeding import LoadSummary

__all__ = ["register"]


class Output(StrEnum):
    TABLE = "table"
    JSON = "json"


def _as_json(
    offers: dict[str, int], active: list[str], load: LoadSummary | None, csv: CsvSummary | None
) -> dict[str, object]:
    document: dict[str, object] = {
        "offers": {"active": active, "subscribers_per_offer": offers},
        "database": None,
        "csv": None,
    }
    if load is not None:
        document["database"] = {
            "subscribers": load.subscribers,
            "offers_active": load.offers_active,
            "offers_inactive": load.offers_inactive,
            "offers_retired": load.offers_retired,
            "other_subscriptions_kept": load.other_subscriptions_kept,
            "seconds": round(load.seconds, 3),
        }
    if csv is not None:
        document["csv"] = {
            "path": str(csv.path),
            "rows": csv.rows,
            "good_rows": csv.good_rows,
            "bad_rows": sum(csv.bad_rows.values()),
            "bad_rows_by_kind": {str(kind): count for kind, count in csv.bad_rows.items()},
            "bad_row_numbers": csv.bad_row_numbers,
            "bytes": csv.bytes_written,
        }
        # On freshly seeded data every good row is applied and every bad one rejected.
        document["expected"] = {
            "rows_received": csv.rows,
            "rows_rejected": sum(csv.bad_rows.values()),
            "staged": csv.good_rows,
            "applied": csv.good_rows,
        }
    return document


def _print_tables(offers: dict[str, int], active: list[str], load: LoadSummary | None, csv: CsvSummary | None) -> None:
    console = Console()
    table = Table(title="Offers catalog")
    table.add_column("offer")
    table.add_column("active")
    table.add_column("subscribers", justify="right")
    for code, count in offers.items():
        table.add_row(code, "yes" if code in active else "no", f"{count:,}")
    console.print(table)
    if load is not None:
        console.print(
            f"seeded {load.subscribers:,} subscribers on {load.offers_active} active offers "
            f"({load.offers_inactive} inactive, {load.offers_retired} retired; "
            f"{load.other_subscriptions_kept:,} other subscriptions kept) in {load.seconds:.2f} s"
        )
    if csv is not None:
        kinds = ", ".join(f"{count} {kind}" for kind, count in csv.bad_rows.items()) or "none"
        console.print(
            f"wrote {csv.path}: {csv.rows:,} rows ({csv.good_rows:,} good; bad: {kinds}), {csv.bytes_written:,} bytes"
        )


def seed(
    subscribers: Annotated[int, typer.Option("--subscribers", min=0, help="How many subscribers to seed.")],
    offers: Annotated[int, typer.Option("--offers", min=2, max=999, help="Offers (a fifth inactive).")] = 10,
    seed_value: Annotated[int, typer.Option("--seed", help="Random seed; the same seed gives the same data.")] = 42,
    csv_path: Annotated[Path | None, typer.Option("--csv", help="Also write a migration CSV here.")] = None,
    rows: Annotated[int | None, typer.Option("--rows", min=0, help="Data rows in the CSV (needed with --csv).")] = None,
    bad_rows: Annotated[int, typer.Option("--bad-rows", min=0, help="How many of those rows break a rule.")] = 0,
    csv_only: Annotated[bool, typer.Option("--csv-only", help="Write the CSV; leave the database alone.")] = False,
    force: Annotated[bool, typer.Option("--force", help="Reseed even while migrations are in flight.")] = False,
    output: Annotated[Output, typer.Option("--output", help="table or json.")] = Output.TABLE,
) -> None:
    """Seed deterministic demo data: an offers catalog and subscribers spread over its active offers.

    Reseeding replaces the demo subscribers (user ids u0000001…) and upserts the catalog (OFFER-001…).
    Other rows, migrations and their items are kept. It refuses (unless --force)
    while a migration still has demo users to apply.

    With --csv it also writes a migration file of --rows rows drawn from the seeded subscribers
    (current offer = their seeded offer, target = another active offer); --bad-rows of them break a
    rule (unknown_offer, same_offer, user_id_format, duplicate_user, inactive_offer).

    Example: subshift seed --subscribers 200000 --csv demo.csv --rows 100000 --bad-rows 5
    """
    if csv_path is not None and rows is None:
        raise typer.BadParameter("--rows is needed with --csv", param_hint="--rows")
    if csv_only and csv_path is None:
        raise typer.BadParameter("--csv-only needs --csv", param_hint="--csv-only")
    catalog = build_catalog(offers)
    population = build_population(catalog, subscribers=subscribers, seed=seed_value)
    load = None
    if not csv_only:
        from subshift_tooling.seeding import load_demo_data  # SQLAlchemy's models: imported only to seed the database

        load = load_demo_data(load_settings().database, catalog, population, force=force)
    csv = None
    if csv_path is not None and rows is not None:
        csv = write_migration_csv(
            csv_path, catalog=catalog, population=population, rows=rows, bad_rows=bad_rows, seed=seed_value
        )
    counts = {code: 0 for code in (offer.code for offer in catalog.offers)} | population.counts()
    active = [offer.code for offer in catalog.active]
    if output is Output.JSON:
        typer.echo(json.dumps(_as_json(counts, active, load, csv), indent=2))
    else:
        _print_tables(counts, active, load, csv)


def register(app: typer.Typer) -> None:
    """Attach the `seed` command to the root app."""
    app.command(name="seed")(seed)
