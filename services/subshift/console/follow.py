"""The two long waits of the ``migrate`` commands, each behind a progress bar: the upload and the run."""

from __future__ import annotations

from rich.console import Console

from subshift.console.progress import UploadBar, WatchBars
from subshift.console.tables import moves_table, state_text, violations_table
from subshift.console.views import dry_run_verdict
from subshift_client import SubshiftClient
from subshift_client.api_errors import RowViolation
from subshift_client.migration_v1 import CreateMigrationResponse, Migration
from subshift_client.upload_source import UploadProgress, UploadSource

__all__ = ["follow", "print_upload"]


def print_upload(
    client: SubshiftClient,
    source: UploadSource,
    *,
    console: Console,
    quiet: bool,
    dry_run: bool,
    request_id: str | None,
    description: str,
    max_rejected_rows: int | None,
    max_rows_per_second: int,
) -> CreateMigrationResponse:
    """Upload with a progress bar on ``console`` (none when ``quiet``), then summarise on standard output.

    Raises:
        ApiError: the upload failed or was refused (see ``subshift_client.api_errors``).
    """
    bar = None if quiet else UploadBar(console, None)

    def progress(update: UploadProgress) -> None:
        if bar is not None:
            bar.update(update)
            if update.total_bytes is not None and update.bytes_sent >= update.total_bytes:
                bar.validating()

    if bar is not None:
        bar.__enter__()
    try:
        response = client.create_migration(
            source, request_id=request_id, description=description, dry_run=dry_run,
            max_rejected_rows=max_rejected_rows, max_rows_per_second=max_rows_per_second, on_progress=progress,
        )
    finally:
        if bar is not None:
            bar.__exit__(None, None, None)
    if not quiet:
        _summarise(Console(), response, dry_run=dry_run)
    return response


def _summarise(out: Console, response: CreateMigrationResponse, *, dry_run: bool) -> None:
    report, migration = response.report, response.migration
    if dry_run:
        verdict = dry_run_verdict(migration, report)
        style = "green" if verdict["accepted"] else "bold red"
        out.print(f"dry run: [{style}]{verdict['summary']}[/]; nothing was staged", highlight=False)
    else:
        out.print(
            f"migration [bold]{migration.migration_id}[/]: ", state_text(migration.state),
            f", {_rows(migration.counts.staged)} staged, {_rows(migration.counts.rows_rejected)} rejected",
            sep="", highlight=False,
        )
    if report.violations:
        shown: list[RowViolation] = list(report.violations)
        out.print(violations_table(shown, report.violations_total))
    if dry_run and report.moves:
        out.print(moves_table(report))
    if not dry_run:
        out.print(f"[dim]follow it: subshift migrate watch {migration.migration_id}[/]", highlight=False)


def _rows(count: int) -> str:
    return f"{count:,} row" if count == 1 else f"{count:,} rows"


def follow(client: SubshiftClient, migration_id: str, *, console: Console, quiet: bool) -> Migration:
    """Watch until the migration is terminal, with progress bars on ``console`` unless ``quiet``.

    Raises:
        ApiError: the watch failed (see ``subshift_client.api_errors``).
    """
    if quiet:
        return client.wait(migration_id)
    with WatchBars(console) as bars:
        return client.wait(migration_id, on_progress=bars.update)
