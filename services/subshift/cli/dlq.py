"""`subshift dlq`: what is on the dead-letter topic and why, and replaying it after a fix (logic: ``messaging.dlq``)."""

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

if TYPE_CHECKING:  # the DLQ logic imports the database models and Kafka clients: only the commands load it
    from subshift.messaging.dead_letter_reader import DeadLetterRecord
    from subshift.messaging.dlq import DeadLetterFilter

__all__ = ["app"]

app = typer.Typer(help="Dead letters: list them, replay them after a fix.", no_args_is_help=True)


class Output(StrEnum):
    TABLE = "table"
    JSON = "json"


MigrationOption = Annotated[str | None, typer.Option("--migration", help="Only dead letters of this migration id.")]
ReasonOption = Annotated[str | None, typer.Option(
    "--reason", help="Only this reason (e.g. unknown_schema_id, wrong_magic_byte, invalid_record, unknown_item, "
    "mismatched_item).")]
SinceOption = Annotated[str | None, typer.Option("--since", help="Only records dead-lettered at or after this "
                                                  "ISO 8601 time (UTC when no offset is given).")]


def _filter(migration: str | None, reason: str | None = None, since: str | None = None) -> DeadLetterFilter:
    from subshift.messaging.dlq import DeadLetterFilter

    try:
        migration_id = uuid.UUID(migration) if migration else None
    except ValueError as error:
        raise typer.BadParameter(f"{migration!r} is not a migration id (a UUID)", param_hint="--migration") from error
    moment = None
    if since:
        try:
            moment = datetime.datetime.fromisoformat(since)
        except ValueError as error:
            raise typer.BadParameter(f"{since!r} is not an ISO 8601 time", param_hint="--since") from error
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


@app.command("list")
def list_command(migration: MigrationOption = None, reason: ReasonOption = None, since: SinceOption = None,
                 output: Annotated[Output, typer.Option("--output", help="table for people, json for scripts.")]
                 = Output.TABLE) -> None:
    """Show the dead letters (all, or of one migration): where they came from and why."""
    from subshift.messaging.dlq import list_dead_letters

    rows = [_row(r) for r in list_dead_letters(load_settings(), _filter(migration, reason, since))]
    if output is Output.JSON:
        typer.echo(json.dumps(rows, indent=2))
        return
    table = Table("partition", "offset", "when", "key", "reason", "migration", "row", "replays", "message")
    for row in rows:
        table.add_row(*(str(row[k]) if row[k] is not None else "" for k in (
            "partition", "offset", "dead_lettered_at", "key", "reason", "migration_id", "row_number", "replay_count",
            "message")))
    console = Console()
    console.print(table)
    console.print(f"{len(rows)} dead letter(s)")


@app.command("replay")
def replay_command(migration: MigrationOption = None, reason: ReasonOption = None, since: SinceOption = None,
                   dry_run: Annotated[bool, typer.Option("--dry-run", help="Say what would be replayed; change "
                                                         "nothing.")] = False,
                   max_replays: Annotated[int, typer.Option("--max-replays", min=1, help="A record replayed this "
                                                            "often is not replayed again.")] = 3) -> None:
    """Republish dead letters onto the original topic (resumable, idempotent, audited)."""
    from subshift.messaging.dlq import replay_dead_letters

    report = replay_dead_letters(load_settings(), _filter(migration, reason, since), dry_run=dry_run,
                                 max_replays=max_replays)
    typer.echo(json.dumps(report.as_dict(), indent=2))
