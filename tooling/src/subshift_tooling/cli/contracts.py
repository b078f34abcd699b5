"""`subshift contracts generate`, `fixtures` and `release`: this repository's client generation and wire fixtures.

They join ``subshift contracts`` through the ``subshift.contracts.commands`` entry point (logic in
``subshift_tooling.codegen`` and ``subshift_tooling.wire_fixtures``); the service's wheel and image do not
carry them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from subshift_contracts_core.options import RepoOption

__all__ = ["register"]


def generate(
    check_only: Annotated[bool, typer.Option("--check", help="Rebuild in memory and fail if the committed "
                                                             "client differs; write nothing.")] = False,
    repo: RepoOption = None,
) -> None:
    """Rebuild the client library's generated code from contracts/ (exit 1 with --check when it is stale)."""
    from subshift_contracts_core.repository import find_manifest, find_repository
    from subshift_tooling.codegen import CodegenPaths, generate, stale_files

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


def fixtures(
    version: Annotated[str, typer.Argument(help="The contract release the fixtures belong to, e.g. v1.")],
    root: Annotated[Path | None, typer.Option(help="Folder holding one fixture folder per version "
                                                   "(default: compat_tests/fixtures of the repository).")] = None,
    repo: RepoOption = None,
) -> None:
    """Write golden wire fixtures (encoded requests, responses and Avro events) made by today's contracts."""
    from subshift_contracts_core.repository import find_manifest, find_repository
    from subshift_tooling.wire_fixtures import write_fixtures

    repo_root = find_repository(repo)
    find_manifest(repo_root)
    folder = (root or repo_root / "compat_tests" / "fixtures") / version
    written = write_fixtures(folder)
    typer.echo(f"wrote {len(written)} files to {folder}")


def release(
    version: Annotated[str, typer.Argument(help="The release number: 1, 2, 3… (tagged contracts-v<N>).")],
    repo: RepoOption = None,
) -> None:
    """Write VERSION's golden wire fixtures, commit them and tag contracts-vVERSION, after the gate passes."""
    from subshift_contracts.cli import finish_release
    from subshift_contracts.release import ensure_new_release
    from subshift_contracts.release import release as run_release
    from subshift_contracts_core.errors import ContractError
    from subshift_contracts_core.repository import open_manifest
    from subshift_tooling.wire_fixtures import write_fixtures

    root, loaded = open_manifest(repo)
    tag = ensure_new_release(root, version)
    folder = root / "compat_tests" / "fixtures" / tag.removeprefix("contracts-")
    if folder.exists():
        raise ContractError(f"{folder} exists already: golden fixtures are never rewritten; release the next "
                            f"version, or tag the commit that wrote them (`git tag -a {tag}`)")
    finish_release(run_release(root, loaded, version, write=lambda: write_fixtures(folder)))


def register(contracts: typer.Typer) -> None:
    """Add ``generate``, ``fixtures`` and ``release`` to ``subshift contracts``."""
    contracts.command("generate")(generate)
    contracts.command("fixtures")(fixtures)
    contracts.command("release")(release)
