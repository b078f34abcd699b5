"""`subshift contracts`: (commands are added by the issue that owns them)."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from subshift.errors import DataError

__all__ = ["app"]

app = typer.Typer(help="contracts commands.", no_args_is_help=True)


# --- compatibility gate: `compat` and `check` (logic in subshift.gate) ---------------------------


class _CompatFormat(StrEnum):
    TEXT = "text"
    JSON = "json"


@app.command("compat")
def compat(
    new: Annotated[Path, typer.Argument(help="The new Avro schema file.")],
    previous: Annotated[list[Path], typer.Argument(help="Earlier versions of the schema, oldest first.")],
    mode: Annotated[str, typer.Option("--mode", help="BACKWARD, FORWARD, FULL (each also _TRANSITIVE) or NONE.")],
    fmt: Annotated[_CompatFormat, typer.Option("--format", help="text (readable) or json.")] = _CompatFormat.TEXT,
) -> None:
    """Check NEW against PREVIOUS schema files under MODE: exit 0 compatible, 1 incompatible, 2 invalid input."""
    from subshift.gate.compat import compat_files, render_compat
    from subshift.gate.modes import parse_mode

    result = compat_files(new, previous, parse_mode(mode))
    typer.echo(render_compat(result, as_json=fmt is _CompatFormat.JSON))
    raise typer.Exit(0 if result.compatible else 1)


@app.command("check")
def check(
    against: Annotated[str | None, typer.Option(help="Git ref to compare with (default: newest contracts-v* tag, "
                                                     "else HEAD's first parent).")] = None,
    registry: Annotated[str | None, typer.Option(help="Also check against this Confluent-compatible registry.")] = None,
    fmt: Annotated[str, typer.Option("--format", help="text, json, junit or sarif.")] = "text",
    output: Annotated[Path | None, typer.Option(help="Write the report here instead of stdout.")] = None,
    repo: Annotated[Path | None, typer.Option(help="Repository root holding contracts/ and buf.yaml.")] = None,
) -> None:
    """buf lint + breaking, every Avro subject against its git history (and a registry): exit 0 pass, 1 findings."""
    from subshift.contracts_manifest import CONTRACTS_DIR, load_manifest
    from subshift.gate.check import CheckOptions, run_check
    from subshift.gate.reports import ReportFormat, render

    if fmt not in {f.value for f in ReportFormat}:
        raise DataError(f"unknown report format {fmt!r}; use text, json, junit or sarif", rule="format")
    root = (repo or CONTRACTS_DIR.parent).resolve()
    report = run_check(load_manifest(root / "contracts"), CheckOptions(repo=root, against=against,
                                                                       registry_url=registry))
    rendered = render(report, ReportFormat(fmt))
    if output is None:
        typer.echo(rendered, nl=False)
    else:
        output.write_text(rendered, encoding="utf-8")
        typer.echo(f"report written to {output}; {len(report.findings)} finding(s)", err=True)
    raise typer.Exit(0 if report.passed else 1)


# --- codegen and publish: `generate` and `publish` (logic in subshift.codegen, subshift.messaging) ---


@app.command("generate")
def generate(
    check_only: Annotated[bool, typer.Option("--check", help="Rebuild in memory and fail if the committed "
                                                             "client differs; write nothing.")] = False,
    repo: Annotated[Path | None, typer.Option(help="Repository root holding contracts/ and codegen/.")] = None,
) -> None:
    """Rebuild the client library's generated code from contracts/ (exit 1 with --check when it is stale)."""
    from subshift.codegen import CodegenPaths, generate, stale_files
    from subshift.contracts_manifest import CONTRACTS_DIR

    paths = CodegenPaths.for_repo((repo or CONTRACTS_DIR.parent).resolve())
    if check_only:
        stale = stale_files(paths)
        if stale:
            typer.echo("the generated client is stale; run `subshift contracts generate` and commit:", err=True)
            for line in stale:
                typer.echo(f"  {line}", err=True)
            raise typer.Exit(1)
        typer.echo(f"{paths.output} is up to date")
        return
    report = generate(paths)
    typer.echo(f"wrote {len(report.files)} files to {paths.output} in {report.seconds:.2f}s")


@app.command("publish")
def publish(
    registry: Annotated[str | None, typer.Option(help="Confluent-compatible registry URL "
                                                      "(default: SUBSHIFT_REGISTRY_URL).")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Say what would change; change nothing.")] = False,
    topics: Annotated[bool, typer.Option(help="Also create or check the manifest's topics in Kafka.")] = True,
    contracts: Annotated[Path | None, typer.Option(help="Contracts folder holding subjects.yaml.")] = None,
) -> None:
    """Set each subject's compatibility mode, register its schema (idempotent), ensure topics; exit 1 if refused."""
    from confluent_kafka.schema_registry import SchemaRegistryClient

    from subshift.config import load_settings
    from subshift.contracts_manifest import CONTRACTS_DIR, load_manifest
    from subshift.messaging.publish import publish as run_publish
    from subshift.messaging.topics_admin import admin_client

    settings = load_settings()
    registry_conf = {**settings.registry.as_client_conf(), **({"url": registry} if registry else {})}
    admin = admin_client(settings.kafka) if topics else None
    report = run_publish(load_manifest(contracts or CONTRACTS_DIR), SchemaRegistryClient(registry_conf), admin,
                         dry_run=dry_run, topic_prefix=settings.kafka.topic_prefix)
    for line in report.lines():
        typer.echo(line)
    if not report.ok:
        typer.echo("publish refused: fix the schema (see `subshift contracts check`) or the topic, then rerun",
                   err=True)
        raise typer.Exit(1)


@app.command("fixtures")
def fixtures(
    version: Annotated[str, typer.Argument(help="The contract release the fixtures belong to, e.g. v1.")],
    root: Annotated[Path | None, typer.Option(help="Folder holding one fixture folder per version "
                                                   "(default: compat_tests/fixtures).")] = None,
) -> None:
    """Write golden wire fixtures (encoded requests, responses and Avro events) made by today's contracts."""
    from subshift.contracts_manifest import CONTRACTS_DIR
    from subshift.wire_fixtures import write_fixtures

    folder = (root or CONTRACTS_DIR.parent / "compat_tests" / "fixtures") / version
    written = write_fixtures(folder)
    typer.echo(f"wrote {len(written)} files to {folder}")
