"""`subshift bench`: measure the pipeline end to end beside raw baselines (logic in ``subshift_tooling.bench``)."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

__all__ = ["register"]


class Output(StrEnum):
    TABLE = "table"
    JSON = "json"


def _counts(text: str, option: str) -> tuple[int, ...]:
    try:
        values = tuple(int(part) for part in text.split(",") if part.strip())
    except ValueError:
        raise typer.BadParameter(f"{text!r} is not a comma-separated list of numbers", param_hint=option) from None
    if not values or min(values) < 1:
        raise typer.BadParameter("give one or more positive numbers, e.g. 1,2,4", param_hint=option)
    return values


def bench(
    rows: Annotated[str, typer.Option("--rows", help="Upload sizes, rows: end to end runs once per size, every other "
                                      "stage uses the first.")]
    = "1000000,10000000",
    subscribers: Annotated[int | None, typer.Option("--subscribers", min=1, help="Subscribers to seed for each size "
                                                    "(default and at least: its rows).")] = None,
    consumers: Annotated[str, typer.Option("--consumers", help="Consumer processes for the scaling runs.")] = "1,2,4",
    e2e_consumers: Annotated[int, typer.Option("--e2e-consumers", min=1, help="Consumers in the end-to-end run "
                                               "(as deployed: two overlap each other's database waits).")]
    = 2,
    rates: Annotated[str, typer.Option("--rates", help="GetMigration request rates (req/s).")] = "100,500",
    latency_seconds: Annotated[float, typer.Option("--latency-seconds", min=1, help="Seconds per rate.")] = 10.0,
    memory_rows: Annotated[int, typer.Option("--memory-rows", min=1, help="Rows streamed in the API memory run.")]
    = 10_000_000,
    skip_baselines: Annotated[bool, typer.Option("--skip-baselines", help="No raw baselines.")] = False,
    skip_latency: Annotated[bool, typer.Option("--skip-latency", help="No GetMigration latency run.")] = False,
    skip_scaling: Annotated[bool, typer.Option("--skip-scaling", help="No consumer scaling runs.")] = False,
    skip_memory: Annotated[bool, typer.Option("--skip-memory", help="No API memory run.")] = False,
    history_rows: Annotated[int, typer.Option("--history-rows", min=1, help="Items of finished migrations seeded "
                                              "for the history stage.")] = 30_000_000,
    history_migrations: Annotated[int, typer.Option("--history-migrations", min=1, help="Finished migrations "
                                                    "those items belong to.")] = 52,
    read_calls: Annotated[int, typer.Option("--read-calls", min=1, help="Calls of each read measured in the "
                                            "history stage, one after another.")] = 100,
    skip_history: Annotated[bool, typer.Option("--skip-history", help="No history stage.")] = False,
    database: Annotated[str, typer.Option("--database", help="Database the run drops, creates and uses.")]
    = "subshift_bench",
    profile: Annotated[bool, typer.Option("--profile", help="Profile API, relay and consumer with py-spy "
                                          "during the end-to-end run.")] = False,
    output: Annotated[Output, typer.Option("--output", help="table, or json on stdout.")] = Output.TABLE,
    report_file: Annotated[Path | None, typer.Option("--report-file", help="Where to write the JSON report "
                                                     "(default: <state dir>/bench/<stamp>.json).")] = None,
) -> None:
    """Benchmark Subshift on the local stack: stage rates, end to end per size, baselines, latency, scaling, memory,
    history.

    Runs in its own database (subshift_bench) and topics (prefix bench-<tag>.), with the API,
    relay and consumers as real `subshift serve` processes. Always writes a JSON report under the
    state directory. Needs `subshift stack up`, and ghz for latency (scripts/install-tools).

    Example: subshift bench --rows 100000,200000 --consumers 1,2 --memory-rows 1000000 --history-rows 2000000
    """
    from subshift.config import load_settings
    from subshift_tooling.bench import BenchOptions, BenchReport, render, run_bench

    if history_migrations > history_rows:
        raise typer.BadParameter("give at least one item per migration", param_hint="--history-migrations")
    options = BenchOptions(
        sizes=tuple(dict.fromkeys(_counts(rows, "--rows"))), subscribers=subscribers,
        consumers=_counts(consumers, "--consumers"), e2e_consumers=e2e_consumers,
        latency_rates=_counts(rates, "--rates"), latency_seconds=latency_seconds, memory_rows=memory_rows,
        skip_baselines=skip_baselines, skip_latency=skip_latency, skip_scaling=skip_scaling, skip_memory=skip_memory,
        history_rows=history_rows, history_migrations=history_migrations, read_calls=read_calls,
        skip_history=skip_history, profile=profile, database=database,
    )
    settings = load_settings()
    err = Console(stderr=True)
    written: list[Path] = []

    def save(report: BenchReport) -> None:
        path = report_file or settings.state_dir / "bench" / f"{report.started_at}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(report.to_json(), indent=2, default=str) + "\n")
        written[:] = [path]

    try:
        report = run_bench(settings, options, checkpoint=save,
                           say=lambda line: err.print(f"[dim]bench:[/] {line}", highlight=False))
    finally:
        if written:
            err.print(f"report: {written[0]}")
    if output is Output.JSON:
        typer.echo(json.dumps(report.to_json(), indent=2, default=str))
    else:
        render(report, Console())


def register(app: typer.Typer) -> None:
    """Attach the `bench` command to the root app."""
    app.command("bench")(bench)
