"""`subshift contracts`: the gate (check, compat), codegen, publish, fixtures.

Every command works on the repository of the current directory (its git top level) or on
``--repo``; none reads contracts from where the package is installed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from subshift_contracts.cli import ManifestOption, RepoOption
from subshift_contracts.cli import check as gate_check
from subshift_contracts.cli import compat as gate_compat

__all__ = ["app"]

app = typer.Typer(help="contracts commands.", no_args_is_help=True)


# --- compatibility gate: `compat` and `check` are the subshift-contracts distribution's own commands ---

app.command("compat")(gate_compat)
app.command("check")(gate_check)


# --- codegen and publish: `generate` and `publish` (logic in subshift.codegen, subshift.messaging) ---


@app.command("generate")
def generate(
    check_only: Annotated[bool, typer.Option("--check", help="Rebuild in memory and fail if the committed "
                                                             "client differs; write nothing.")] = False,
    repo: RepoOption = None,
) -> None:
    """Rebuild the client library's generated code from contracts/ (exit 1 with --check when it is stale)."""
    from subshift.codegen import CodegenPaths, generate, stale_files
    from subshift_contracts.repository import find_manifest, find_repository

    root = find_repository(repo)
    find_manifest(root)  # a repository without a manifest fails here, saying where it looked
    paths = CodegenPaths.for_repo(root)
    if check_only:
        stale = stale_files(paths)
        if stale:
            typer.echo("the generated client is stale; run `subshift contracts generate` and commit:", err=True)
            for line in stale:
                typer.echo(f"  {line}", err=True)
            raise typer.Exit(1)
        typer.echo("the generated clients are up to date (clients/python, clients/go, clients/typescript)")
        return
    report = generate(paths)
    typer.echo(f"regenerated the clients (clients/python, clients/go, clients/typescript) in {report.seconds:.2f}s")


@app.command("publish")
def publish(
    registry: Annotated[str | None, typer.Option(help="Confluent-compatible registry URL "
                                                      "(default: SUBSHIFT_REGISTRY_URL).")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Say what would change; change nothing.")] = False,
    topics: Annotated[bool, typer.Option(help="Also create or check the manifest's topics in Kafka.")] = True,
    repo: RepoOption = None,
    manifest: ManifestOption = None,
) -> None:
    """Set each subject's compatibility mode, register its schema (idempotent), ensure topics; exit 1 if refused."""
    from confluent_kafka.schema_registry import SchemaRegistryClient

    from subshift.config import load_settings
    from subshift.messaging.publish import publish as run_publish
    from subshift.messaging.topics_admin import admin_client
    from subshift_contracts.repository import open_manifest

    settings = load_settings()
    # The manifest first: a repository without one is a usage error, said before any client connects.
    loaded = open_manifest(repo, manifest)[1]
    registry_conf = {**settings.registry.as_client_conf(), **({"url": registry} if registry else {})}
    admin = admin_client(settings.kafka) if topics else None
    report = run_publish(loaded, SchemaRegistryClient(registry_conf), admin,
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
                                                   "(default: compat_tests/fixtures of the repository).")] = None,
    repo: RepoOption = None,
) -> None:
    """Write golden wire fixtures (encoded requests, responses and Avro events) made by today's contracts."""
    from subshift.wire_fixtures import write_fixtures
    from subshift_contracts.repository import find_manifest, find_repository

    repo_root = find_repository(repo)
    find_manifest(repo_root)
    folder = (root or repo_root / "compat_tests" / "fixtures") / version
    written = write_fixtures(folder)
    typer.echo(f"wrote {len(written)} files to {folder}")


@app.command("release")
def release(
    version: Annotated[str, typer.Argument(help="The release number: 1, 2, 3… (tagged contracts-v<N>).")],
    repo: RepoOption = None,
) -> None:
    """Write VERSION's golden wire fixtures, commit them and tag contracts-vVERSION, after the gate passes."""
    from subshift.wire_fixtures import write_fixtures
    from subshift_contracts.cli import finish_release
    from subshift_contracts.errors import ContractError
    from subshift_contracts.release import ensure_new_release
    from subshift_contracts.release import release as run_release
    from subshift_contracts.repository import open_manifest

    root, loaded = open_manifest(repo)
    tag = ensure_new_release(root, version)
    folder = root / "compat_tests" / "fixtures" / tag.removeprefix("contracts-")
    if folder.exists():
        raise ContractError(f"{folder} exists already: golden fixtures are never rewritten; release the next "
                            f"version, or tag the commit that wrote them (`git tag -a {tag}`)")
    finish_release(run_release(root, loaded, version, write=lambda: write_fixtures(folder)))
