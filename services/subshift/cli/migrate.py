"""`subshift migrate`: upload, follow and manage migrations through the API (a thin shell over
``subshift_client.SubshiftClient``; rendering lives in ``subshift.console``)."""

from __future__ import annotations

import json
import os
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from subshift.console.connection import AddrOption, TimeoutOption, TlsCaOption, TlsOption, TokenOption, open_client
from subshift.console.failures import EXIT_CODES_HELP, api_failures, exit_code_for_state
from subshift.console.follow import follow, print_upload
from subshift.console.tables import items_table, migration_table, migrations_table
from subshift.console.usage import usage_error
from subshift.console.views import dry_run_verdict, item_view, migration_view, report_view
from subshift_client.migration_v1 import ItemOutcome, MigrationState

__all__ = ["app"]

app = typer.Typer(
    help=f"Upload, follow and manage migrations through the API. {EXIT_CODES_HELP}",
    no_args_is_help=True,
)


class Output(StrEnum):
    TABLE = "table"
    JSON = "json"


_STATES = {name.removeprefix("MIGRATION_STATE_").lower(): value for name, value in MigrationState.items() if value}
_OUTCOMES = {name.removeprefix("ITEM_OUTCOME_").lower(): value for name, value in ItemOutcome.items() if value}

OutputOption = Annotated[Output, typer.Option("--output", help="table for people, json for scripts.")]
OutcomeOption = Annotated[str | None, typer.Option("--outcome", help=f"Only this outcome: {', '.join(_OUTCOMES)}.")]
IdArgument = Annotated[str, typer.Argument(help="The migration's id.", show_default=False)]



def _state(value: str | None) -> MigrationState.ValueType | None:
    if value is not None and value not in _STATES:
        usage_error(f"--state {value!r} is not a state: give one of {', '.join(_STATES)}")
    return None if value is None else _STATES[value]


def _outcome(value: str | None) -> ItemOutcome.ValueType | None:
    if value is not None and value not in _OUTCOMES:
        usage_error(f"--outcome {value!r} is not an outcome: give one of {', '.join(_OUTCOMES)}")
    return None if value is None else _OUTCOMES[value]


def _print_json(document: object) -> None:
    typer.echo(json.dumps(document, indent=2))


@app.command(epilog=EXIT_CODES_HELP)
def upload(
    file: Annotated[Path, typer.Argument(help="CSV with user_id,current_offer,target_offer; - for stdin.",
                                         allow_dash=True, dir_okay=False, show_default=False)],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Validate and report; stage nothing.")] = False,
    idempotency_key: Annotated[str | None, typer.Option(
        "--idempotency-key", help="Request id: the same key and file return the same migration (default: a new one).",
        show_default=False)] = None,
    description: Annotated[str, typer.Option("--description", help="Free text shown with the migration.")] = "",
    max_rejected: Annotated[int | None, typer.Option(
        "--max-rejected", min=0, help="Bad rows tolerated; more refuses the upload (default: 0, so one bad row "
        "refuses it).", show_default=False)] = None,
    rate: Annotated[int, typer.Option("--rate", min=0, help="Most events published per second (0: no limit).")] = 0,
    wait: Annotated[bool, typer.Option("--wait", help="Follow the migration to its end, with progress bars.")] = False,
    output: OutputOption = Output.TABLE,
    addr: AddrOption = None,
    token: TokenOption = None,
    tls: TlsOption = False,
    tls_ca: TlsCaOption = None,
) -> None:
    """Upload a CSV as a new migration, with a progress bar; bad rows are listed by row and column.

    Example: subshift migrate upload moves.csv --max-rejected 10 --wait
    """
    errors = Console(stderr=True)
    if str(file) != "-" and not file.is_file():
        usage_error(f"{file} does not exist" if not file.exists() else f"{file} is not a file")
    if str(file) != "-" and not os.access(file, os.R_OK):
        usage_error(f"{file} cannot be read (permission denied)")
    source = sys.stdin.buffer if str(file) == "-" else file
    with api_failures(errors, token), open_client(addr, token, tls, tls_ca) as client:
        response = print_upload(
            client, source, console=errors, quiet=output is Output.JSON, dry_run=dry_run,
            request_id=idempotency_key, description=description, max_rejected_rows=max_rejected,
            max_rows_per_second=rate,
        )
        final = response.migration
        if wait and not dry_run:
            final = follow(client, final.migration_id, console=errors, quiet=output is Output.JSON)
            if output is Output.TABLE:
                Console().print(migration_table(final))
        if output is Output.JSON:
            document = {"migration": migration_view(final), "report": report_view(response.report)}
            if dry_run:
                document["verdict"] = dry_run_verdict(final, response.report)
            _print_json(document)
    # A dry run exits as the upload would: 1 when it would be refused.
    raise typer.Exit(exit_code_for_state(final.state))


@app.command(epilog=EXIT_CODES_HELP)
def get(
    migration_id: IdArgument,
    output: OutputOption = Output.TABLE,
    addr: AddrOption = None, token: TokenOption = None, tls: TlsOption = False, tls_ca: TlsCaOption = None,
    timeout: TimeoutOption = 30.0,
) -> None:
    """Show one migration: its state, who created it, and every count.

    Example: subshift migrate get 0b7c…e1 --output json
    """
    with api_failures(Console(stderr=True), token), open_client(addr, token, tls, tls_ca, timeout) as client:
        migration = client.get_migration(migration_id)
    if output is Output.JSON:
        _print_json(migration_view(migration))
    else:
        Console().print(migration_table(migration))


@app.command(name="list", epilog=EXIT_CODES_HELP)
def list_(
    state: Annotated[str | None, typer.Option("--state", help=f"Only this state: {', '.join(_STATES)}.")] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, help="Most migrations to show.")] = 20,
    output: OutputOption = Output.TABLE,
    addr: AddrOption = None, token: TokenOption = None, tls: TlsOption = False, tls_ca: TlsCaOption = None,
    timeout: TimeoutOption = 30.0,
) -> None:
    """List migrations, newest first.

    Example: subshift migrate list --state applying
    """
    wanted = _state(state)
    with api_failures(Console(stderr=True), token), open_client(addr, token, tls, tls_ca, timeout) as client:
        migrations = list(client.list_migrations(state=wanted, page_size=min(limit, 1000), limit=limit))
    if output is Output.JSON:
        _print_json([migration_view(migration) for migration in migrations])
    else:
        Console().print(migrations_table(migrations))


@app.command(epilog=EXIT_CODES_HELP)
def watch(
    migration_id: IdArgument,
    output: Annotated[Output, typer.Option("--output", help="table: progress bars; json: one line per change.")] = (
        Output.TABLE
    ),
    addr: AddrOption = None, token: TokenOption = None, tls: TlsOption = False, tls_ca: TlsCaOption = None,
) -> None:
    """Follow a migration to its end: published and applied rows as progress bars, then the outcome table.

    Exits 1 when it ends rejected, failed or cancelled.

    Example: subshift migrate watch 0b7c…e1
    """
    errors = Console(stderr=True)
    with api_failures(errors, token), open_client(addr, token, tls, tls_ca) as client:
        # One plain call first, retried like every other command's (seconds), so an API that is down
        # is said at once; the watch's own retries (minutes) are for an API that goes away mid-watch.
        client.get_migration(migration_id)
        if output is Output.JSON:
            final = None
            for final in client.watch(migration_id):
                typer.echo(json.dumps(migration_view(final)))
        else:
            final = follow(client, migration_id, console=errors, quiet=False)
            Console().print(migration_table(final))
    raise typer.Exit(exit_code_for_state(final.state) if final is not None else 1)


@app.command(epilog=EXIT_CODES_HELP)
def items(
    migration_id: IdArgument,
    outcome: OutcomeOption = None,
    limit: Annotated[int, typer.Option("--limit", min=1, help="Most rows to show.")] = 50,
    output: OutputOption = Output.TABLE,
    addr: AddrOption = None, token: TokenOption = None, tls: TlsOption = False, tls_ca: TlsCaOption = None,
    timeout: TimeoutOption = 30.0,
) -> None:
    """Show a migration's rows with their lineage: CSV row, Kafka partition@offset, outcome and reason.

    Example: subshift migrate items 0b7c…e1 --outcome conflict
    """
    wanted = _outcome(outcome)
    with api_failures(Console(stderr=True), token), open_client(addr, token, tls, tls_ca, timeout) as client:
        rows = list(client.list_items(migration_id, outcome=wanted, page_size=min(limit, 1000), limit=limit))
        total = client.count_items(migration_id, outcome=wanted)
    if output is Output.JSON:
        _print_json({"total": total, "items": [item_view(item) for item in rows]})
        return
    table = items_table(rows, title=f"Rows of {migration_id}" + (f" ({outcome})" if outcome else ""))
    if total > len(rows):
        table.caption = f"{len(rows):,} of {total:,} shown; raise --limit or use `subshift migrate results`"
    Console().print(table)


@app.command(epilog=EXIT_CODES_HELP)
def cancel(
    migration_id: IdArgument,
    reason: Annotated[str, typer.Option("--reason", help="Why, for the audit log.")] = "",
    output: OutputOption = Output.TABLE,
    addr: AddrOption = None, token: TokenOption = None, tls: TlsOption = False, tls_ca: TlsCaOption = None,
    timeout: TimeoutOption = 30.0,
) -> None:
    """Stop a migration: rows not yet applied are cancelled; applied rows stay applied.

    Example: subshift migrate cancel 0b7c…e1 --reason "wrong file"
    """
    with api_failures(Console(stderr=True), token), open_client(addr, token, tls, tls_ca, timeout) as client:
        migration = client.cancel(migration_id, reason=reason)
    if output is Output.JSON:
        _print_json(migration_view(migration))
    else:
        Console().print(migration_table(migration))


@app.command(epilog=EXIT_CODES_HELP)
def revert(
    migration_id: IdArgument,
    idempotency_key: Annotated[str | None, typer.Option(
        "--idempotency-key", help="Request id of the revert (default: a new one).", show_default=False)] = None,
    description: Annotated[str, typer.Option("--description", help="Free text for the new migration.")] = "",
    wait: Annotated[bool, typer.Option("--wait", help="Follow the revert to its end.")] = False,
    output: OutputOption = Output.TABLE,
    addr: AddrOption = None, token: TokenOption = None, tls: TlsOption = False, tls_ca: TlsCaOption = None,
    timeout: TimeoutOption = 30.0,
) -> None:
    """Create a migration that moves every applied user back to the offer they had before.

    Example: subshift migrate revert 0b7c…e1 --wait
    """
    errors = Console(stderr=True)
    with api_failures(errors, token), open_client(addr, token, tls, tls_ca, timeout) as client:
        migration = client.revert(migration_id, request_id=idempotency_key, description=description)
        if wait:
            migration = follow(client, migration.migration_id, console=errors, quiet=output is Output.JSON)
    if output is Output.JSON:
        _print_json(migration_view(migration))
    else:
        Console().print(migration_table(migration))
    raise typer.Exit(exit_code_for_state(migration.state))


@app.command(epilog=EXIT_CODES_HELP)
def results(
    migration_id: IdArgument,
    out: Annotated[Path | None, typer.Option("--out", "-o", dir_okay=False,
                                             help="Write the CSV here (default: standard output).")] = None,
    outcome: OutcomeOption = None,
    addr: AddrOption = None, token: TokenOption = None, tls: TlsOption = False, tls_ca: TlsCaOption = None,
) -> None:
    """Export every row of a migration and its outcome as CSV (safe to open in a spreadsheet).

    Example: subshift migrate results 0b7c…e1 -o results.csv
    """
    wanted = _outcome(outcome)
    if out is not None and not out.parent.is_dir():
        # A typo in a path should not leave new folders behind: the folder must exist.
        usage_error(f"-o {out}: the folder {out.parent} does not exist; create it first")
    errors = Console(stderr=True)
    with api_failures(errors, token), open_client(addr, token, tls, tls_ca) as client:
        written = client.export_results(migration_id, out if out is not None else sys.stdout.buffer, outcome=wanted)
    if out is not None:
        errors.print(f"wrote {written:,} bytes to {out}")
