"""Rich tables for migrations, their rows, and the rules rows broke."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from rich.table import Table
from rich.text import Text

from subshift.console.views import COUNT_LABELS, counts_view, item_view, migration_view, state_name
from subshift_client.api_errors import RowViolation
from subshift_client.migration_v1 import Migration, MigrationItem, MigrationState, ValidationReport

__all__ = [
    "items_table",
    "migration_table",
    "migrations_table",
    "populations_table",
    "state_text",
    "violations_table",
]

_STYLES = {
    "succeeded": "bold green",
    "succeeded_with_errors": "bold yellow",
    "rejected": "bold red",
    "failed": "bold red",
    "cancelled": "bold magenta",
}


def state_text(state: MigrationState.ValueType) -> Text:
    name = state_name(state)
    return Text(name, style=_STYLES.get(name, "bold cyan"))


def migration_table(migration: Migration) -> Table:
    """One migration: who, when, state, and every count."""
    view = migration_view(migration)
    table = Table(title=f"Migration {migration.migration_id}", show_header=False, title_justify="left")
    table.add_column("field", style="dim")
    table.add_column("value")
    table.add_row("state", state_text(migration.state))
    for label, key in (
        ("reason", "state_reason"),
        ("description", "description"),
        ("created by", "created_by"),
        ("created", "create_time"),
        ("completed", "complete_time"),
        ("request id", "request_id"),
        ("reverts", "reverts_migration_id"),
    ):
        if view[key]:
            table.add_row(label, str(view[key]))
    if migration.max_rows_per_second:
        table.add_row("rate limit", f"{migration.max_rows_per_second:,} rows/s")
    table.add_section()
    for field, count in counts_view(migration.counts).items():
        table.add_row(COUNT_LABELS[field], Text(f"{count:,}", justify="right"))
    return table


def migrations_table(migrations: Iterable[Migration]) -> Table:
    table = Table(title="Migrations (newest first)", title_justify="left")
    table.add_column("id", no_wrap=True, min_width=36)  # ids are what the other commands take: never cut
    table.add_column("state", no_wrap=True, min_width=9)
    table.add_column("created (UTC)", no_wrap=True, min_width=11)
    for name in ("rows", "applied", "rejected", "errors"):  # the rest: `migrate get ID` or --output json
        table.add_column(name, justify="right", no_wrap=True, min_width=7)
    table.add_column("description", overflow="fold", max_width=30)
    for migration in migrations:
        counts = migration.counts
        errors = counts.conflicts + counts.not_found + counts.dead_lettered
        created = migration.create_time.ToDatetime().strftime("%m-%d %H:%M")
        table.add_row(migration.migration_id, state_text(migration.state), created, f"{counts.rows_received:,}",
                      f"{counts.applied:,}", f"{counts.rows_rejected:,}", f"{errors:,}", migration.description)
    return table


def violations_table(violations: Sequence[RowViolation], total: int, *, title: str = "Rejected rows") -> Table:
    """The rules rows broke; the caption says how many more there were than shown."""
    table = Table(title=title, title_justify="left")
    table.add_column("row", justify="right")
    table.add_column("column")
    table.add_column("rule", style="yellow")
    table.add_column("message")
    for violation in violations:
        table.add_row(str(violation.row or "file"), violation.column or "-", violation.rule or "-", violation.message)
    if total > len(violations):
        table.caption = f"… and {total - len(violations):,} more ({total:,} in all)"
    return table


def items_table(items: Iterable[MigrationItem], *, title: str = "Rows") -> Table:
    table = Table(title=title, title_justify="left")
    for name in ("row", "user", "current", "target", "outcome", "kafka", "reason"):
        table.add_column(name, justify="right" if name == "row" else "left")
    for item in items:
        view = item_view(item)
        position = view["position"]
        where = f"{position['partition']}@{position['offset']}" if isinstance(position, dict) else "-"
        table.add_row(str(item.row_number), item.user_id, item.current_offer, item.target_offer,
                      str(view["outcome"]), where, item.reason)
    return table


def populations_table(report: ValidationReport) -> Table:
    """For a dry run: how many subscribers are on each current offer the file names."""
    table = Table(title="Subscribers on each current offer now", title_justify="left")
    table.add_column("offer")
    table.add_column("subscribers", justify="right")
    for population in report.current_offer_population:
        table.add_row(population.offer, f"{population.subscribers:,}")
    return table
