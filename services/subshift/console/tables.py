"""Rich tables for migrations, their rows, and the rules rows broke."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from rich.table import Table
from rich.text import Text

from subshift.console.fit import Column, FittedTable
from subshift.console.views import COUNT_LABELS, counts_view, item_view, migration_view, state_name
from subshift_client.api_errors import RowViolation
from subshift_client.migration_v1 import Migration, MigrationItem, MigrationState, ValidationReport

__all__ = [
    "items_table",
    "migration_table",
    "migrations_table",
    "moves_table",
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
        ("rows purged", "items_purge_time"),
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


# Dropped in this order when the table is too wide (the caption names them); id, state and the
# applied count stay, or the table turns vertical.
_MIGRATION_COLUMNS = (
    Column("id"),
    Column("state"),
    Column("created (UTC)", drop=2),
    Column("rows", numeric=True),
    Column("applied", numeric=True),
    Column("rejected", numeric=True, drop=3),
    Column("errors", numeric=True, drop=4),
    Column("description", text=True, drop=1),
)


def migrations_table(migrations: Iterable[Migration]) -> FittedTable:
    """Migrations, newest first; the rest of each is `migrate get ID` or --output json."""
    table = FittedTable(_MIGRATION_COLUMNS, title="Migrations (newest first)")
    for migration in migrations:
        counts = migration.counts
        errors = counts.conflicts + counts.not_found + counts.dead_lettered
        created = migration.create_time.ToDatetime().strftime("%m-%d %H:%M")
        table.add_row(migration.migration_id, state_text(migration.state), created, f"{counts.rows_received:,}",
                      f"{counts.applied:,}", f"{counts.rows_rejected:,}", f"{errors:,}", migration.description)
    return table


def violations_table(violations: Sequence[RowViolation], total: int, *, title: str = "Rejected rows") -> FittedTable:
    """The rules rows broke; the caption says how many more there were than shown."""
    table = FittedTable((Column("row", numeric=True), Column("column", drop=2), Column("rule", style="yellow"),
                         Column("message", text=True, drop=1)), title=title)
    for violation in violations:
        table.add_row(str(violation.row or "file"), violation.column or "-", violation.rule or "-", violation.message)
    if total > len(violations):
        table.caption = f"… and {total - len(violations):,} more ({total:,} in all)"
    return table


_ITEM_COLUMNS = (
    Column("row", numeric=True),
    Column("user"),
    Column("current", drop=3),
    Column("target", drop=4),
    Column("outcome"),
    Column("kafka", drop=1),
    Column("reason", text=True, drop=2),
)


def items_table(items: Iterable[MigrationItem], *, title: str = "Rows") -> FittedTable:
    table = FittedTable(_ITEM_COLUMNS, title=title)
    for item in items:
        view = item_view(item)
        position = view["position"]
        where = f"{position['partition']}@{position['offset']}" if isinstance(position, dict) else "-"
        table.add_row(f"{item.row_number:,}", item.user_id, item.current_offer, item.target_offer,
                      str(view["outcome"]), where, item.reason)
    return table


_MOVE_COLUMNS = (
    Column("current"), Column("target"), Column("rows", numeric=True), Column("apply", numeric=True),
    Column("skip", numeric=True, drop=2), Column("conflict", numeric=True), Column("not found", numeric=True, drop=1),
)


def moves_table(report: ValidationReport) -> FittedTable:
    """For a dry run: the file's valid rows per move, and where those users are now."""
    table = FittedTable(_MOVE_COLUMNS, title="The file's moves, and where those users are now",
                        caption="apply: on the current offer now; skip: already on the target; conflict: on "
                                "another offer; not found: no subscription")
    for move in report.moves:
        table.add_row(move.current_offer, move.target_offer, f"{move.rows:,}", f"{move.would_apply:,}",
                      f"{move.would_skip:,}", f"{move.would_conflict:,}", f"{move.not_found:,}")
    return table
