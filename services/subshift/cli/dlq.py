"""`subshift dlq`: what is on the dead-letter topic and why, and replaying it after a fix (logic: ``messaging.dlq``).

An admin tool: it reads Kafka and writes the database directly with the process's own settings
(no API token, no role), so a replay records who ran it by the name given with ``--by``.
"""

from __future__ import annotations

import datetime
import json
import uuid
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.table import Table

from subshift.config import load_settings
from subshift.console.fit import Column, FittedTable
from subshift.console.usage import usage_error

if TYPE_CHECKING:  # the DLQ logic imports the database models and Kafka clients: only the commands load it
    from subshift.deadletter.reader import DeadLetterRecord
    from subshift.deadletter.replay import DeadLetterFilter

__all__ = ["app"]

app = typer.Typer(help="Dead letters: list them, replay them after a fix. An admin tool: it uses Kafka and the "
                  "database directly (their settings, no API token), and a replay records the name given with --by.",
                  no_args_is_help=True)


class Output(StrEnum):
    TABLE = "table"
    JSON = "json"


MigrationOption = Annotated[str | None, typer.Option("--migration", help="Only dead letters of this migration id.")]
ReasonOption = Annotated[str | None, typer.Option(
    "--reason", help="Only this reason: no_value, too_short, wrong_magic_byte, unknown_schema_id, "
                "incompatible_schema, unreadable_bytes, invalid_record, unknown_item or mismatched_item.")]
SinceOption = Annotated[str | None, typer.Option("--since", help="Only records dead-lettered at or after this "
                                                  "ISO 8601 time (UTC when no offset is given).")]


def _filter(migration: str | None, reason: str | None = None, since: str | None = None) -> DeadLetterFilter:
    from subshift.deadletter.replay import DeadLetterFilter

    try:
        migration_id = uuid.UUID(migration) if migration else None
    except ValueError:
        usage_error(f"--migration {migration!r} is not a migration id (a UUID)")
    moment = None
    if since:
        try:
            moment = datetime.datetime.fromisoformat(since)
        except ValueError:
            usage_error(f"--since {since!r} is not a time: give ISO 8601, e.g. 2026-12-06T14:00 (UTC) or "
                        "2026-12-06T14:00+01:00")
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=datetime.UTC)
    return DeadLetterFilter(migration_id=migration_id, reason=reason, since=moment)


def _row(record: DeadLetterRecord) -> dict[str, object]:
    info = record.info
    return {
        "partition": record.partition, "offset": record.offset,
        "dead_lettered_at": record.dead_lettered_at.isoformat() if record.dead_lettered_at else None,
        "key": record.key.decode("utf-8", errors="replace") if record.key else None,
        "reason": info.reason, "message": info.exception_message, "exception": info.exception_fqcn,
        "original_topic": info.original_topic, "original_partition": info.original_partition,
        "original_offset": info.original_offset, "consumer_group": info.consumer_group,
        "migration_id": info.migration_id, "row_number": info.row_number, "attempts": info.attempts,
        "replay_count": info.replay_count, "consumer_version": info.consumer_version,
    }


# Dropped in this order when the table is too wide (the caption names them).
_LIST_COLUMNS = (
    Column("partition", numeric=True), Column("offset", numeric=True), Column("when", drop=3),
    Column("key", drop=4), Column("reason"), Column("migration", drop=5), Column("row", numeric=True, drop=6),
    Column("replays", numeric=True, drop=2), Column("message", text=True, drop=1),
)


@app.command("list")
def list_command(migration: MigrationOption = None, reason: ReasonOption = None, since: SinceOption = None,
                 output: Annotated[Output, typer.Option("--output", help="table for people, json for scripts.")]
                 = Output.TABLE) -> None:
    """Show the dead letters (all, or of one migration): where they came from and why."""
    from subshift.deadletter.replay import list_dead_letters

    rows = [_row(r) for r in list_dead_letters(load_settings(), _filter(migration, reason, since))]
    if output is Output.JSON:
        typer.echo(json.dumps(rows, indent=2))
        return
    table = FittedTable(_LIST_COLUMNS)
    for row in rows:
        table.add_row(*(str(row[k]) if row[k] is not None else "" for k in (
            "partition", "offset", "dead_lettered_at", "key", "reason", "migration_id", "row_number", "replay_count",
            "message")))
    console = Console()
    console.print(table)
    console.print(f"{len(rows)} dead letter(s)")


@app.command("replay")
def replay_command(migration: MigrationOption = None, reason: ReasonOption = None, since: SinceOption = None,
                   by: Annotated[str | None, typer.Option("--by", help="Who runs the replay (a person's name or "
                                                          "login): recorded in the audit log. Required unless "
                                                          "--dry-run.")] = None,
                   dry_run: Annotated[bool, typer.Option("--dry-run", help="Say what would be replayed; change "
                                                         "nothing.")] = False,
                   max_replays: Annotated[int, typer.Option("--max-replays", min=1, help="A record replayed this "
                                                            "often is not replayed again.")] = 3,
                   output: Annotated[Output, typer.Option("--output", help="table for people, json for scripts.")]
                   = Output.TABLE) -> None:
    """Republish dead letters onto the original topic (resumable, idempotent, audited); each dead letter is
    replayed at most once, whatever the filter."""
    from subshift.deadletter.replay import replay_dead_letters

    name = (by or "").strip()
    if not name and not dry_run:
        usage_error("a replay records who ran it: pass --by NAME (or --dry-run)")
    report = replay_dead_letters(load_settings(), _filter(migration, reason, since), dry_run=dry_run,
                                 by=name or "dry-run", max_replays=max_replays)
    fields = report.as_dict()
    if output is Output.JSON:
        typer.echo(json.dumps(fields, indent=2))
        return
    table = Table("", "", show_header=False, box=None)
    for key, value in fields.items():
        if key == "by_reason":
            value = ", ".join(f"{r} {n:,}" for r, n in sorted(value.items())) or "-"
        table.add_row(key.replace("_", " "), f"{value:,}" if isinstance(value, int) and not isinstance(value, bool)
                      else str(value))
    console = Console()
    console.print(table)
    console.print("dry run: nothing was replayed" if report.dry_run else
                  f"{report.replayed:,} dead letter(s) replayed by {name}")
