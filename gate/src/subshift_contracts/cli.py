"""The ``subshift-contracts`` command line: ``check``, ``compat`` and ``release``, the gate any team's CI runs.

``subshift contracts check|compat`` are these same commands, joined to the product's command line by
``register`` (the ``subshift.contracts.commands`` entry point) where the gate is installed. Exit codes:
0 pass, 1 findings (incompatible), 2 usage or invalid input (no repository, no manifest, a
schema that does not parse), 3 a tool or the registry is unavailable.
"""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from subshift_contracts.release import Release

from subshift_contracts_core.errors import DataError, SubshiftError, exit_code_for
from subshift_contracts_core.options import ManifestOption, RepoOption

__all__ = [
    "app",
    "check",
    "compat",
    "finish_release",
    "register",
    "release",
    "run",
]

app = typer.Typer(
    name="subshift-contracts",
    help="The contract gate: Avro subjects and Protobuf files checked against their earlier versions.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


class CompatFormat(StrEnum):
    TEXT = "text"
    JSON = "json"


def compat(
    new: Annotated[Path, typer.Argument(help="The new Avro schema file.")],
    previous: Annotated[list[Path], typer.Argument(help="Earlier versions of the schema, oldest first.")],
    mode: Annotated[str, typer.Option("--mode", help="BACKWARD, FORWARD, FULL (each also _TRANSITIVE) or NONE.")],
    fmt: Annotated[CompatFormat, typer.Option("--format", help="text (readable) or json.")] = CompatFormat.TEXT,
) -> None:
    """Check NEW against PREVIOUS schema files under MODE: exit 0 compatible, 1 incompatible, 2 invalid input."""
    from subshift_contracts.compat import compat_files, render_compat
    from subshift_contracts.modes import parse_mode

    result = compat_files(new, previous, parse_mode(mode))
    typer.echo(render_compat(result, as_json=fmt is CompatFormat.JSON))
    raise typer.Exit(0 if result.compatible else 1)


def check(
    against: Annotated[str | None, typer.Option(help="Git ref to compare with (default: newest contracts-v* tag, "
                                                     "else HEAD's first parent).")] = None,
    registry: Annotated[str | None, typer.Option(help="Also check against this Confluent-compatible registry.")] = None,
    fmt: Annotated[str, typer.Option("--format", help="text, json, junit or sarif.")] = "text",
    output: Annotated[Path | None, typer.Option(help="Write the report in --format here; stdout gets the text "
                                                     "report.")] = None,
    repo: RepoOption = None,
    manifest: ManifestOption = None,
) -> None:
    """buf lint + breaking, every Avro subject against its git history (and a registry): exit 0 pass, 1 findings."""
    from subshift_contracts.check import CheckOptions, run_check
    from subshift_contracts.reports import ReportFormat, render
    from subshift_contracts_core.repository import open_manifest

    if fmt not in {f.value for f in ReportFormat}:
        raise DataError(f"unknown report format {fmt!r}; use text, json, junit or sarif", rule="format")
    root, loaded = open_manifest(repo, manifest)
    report = run_check(loaded, CheckOptions(repo=root, against=against, registry_url=registry))
    rendered = render(report, ReportFormat(fmt))
    if output is None:
        typer.echo(rendered, nl=False)
    else:
        # A CI job keeps the file (SARIF, JUnit) and shows the readable report in its log: one run, both.
        output.write_text(rendered, encoding="utf-8")
        typer.echo(render(report, ReportFormat.TEXT), nl=False)
        typer.echo(f"{fmt} report written to {output}; {len(report.findings)} finding(s)", err=True)
    raise typer.Exit(0 if report.passed else 1)


def release(
    version: Annotated[str, typer.Argument(help="The release number: 1, 2, 3… (tagged contracts-v<N>).")],
    repo: RepoOption = None,
    manifest: ManifestOption = None,
) -> None:
    """Tag HEAD contracts-vVERSION after the gate passes: later checks measure against it (exit 1 if the gate fails)."""
    from subshift_contracts.release import release as run_release
    from subshift_contracts_core.repository import open_manifest

    root, loaded = open_manifest(repo, manifest)
    finish_release(run_release(root, loaded, version))


def finish_release(done: Release) -> None:
    """Say what a release did; exit 1 with the gate's report when it refused."""
    from subshift_contracts.reports import ReportFormat, render

    if done.tag is None:
        typer.echo(render(done.report, ReportFormat.TEXT), nl=False, err=True)
        typer.echo("release refused: the gate found breaks; fix or waive them, then release", err=True)
        raise typer.Exit(1)
    for path in done.written:
        typer.echo(f"committed {path}")
    typer.echo(f"tagged {done.tag}; push it (`git push origin {done.tag}`) so CI measures against it")


app.command("check")(check)
app.command("compat")(compat)
app.command("release")(release)


def register(contracts: typer.Typer) -> None:
    """Add ``check`` and ``compat`` to ``subshift contracts`` (its ``release`` also writes wire fixtures)."""
    contracts.command("check")(check)
    contracts.command("compat")(compat)


def run() -> None:
    """Console entry point: expected failures become one readable line and an exit code, never a traceback."""
    try:
        app()
    except SubshiftError as error:
        print(f"error: {error}", file=sys.stderr)
        sys.exit(exit_code_for(error))
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        sys.exit(130)
