"""`subshift topics`: create or check the manifest's topics in Kafka (logic in subshift.messaging)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from subshift_contracts_core.options import ManifestOption

if TYPE_CHECKING:
    from subshift_contracts_core.manifest import Manifest

__all__ = ["app"]

app = typer.Typer(help="Kafka topics from contracts/subjects.yaml.", no_args_is_help=True)


@app.command("ensure")
def ensure(
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Say what would change; change nothing.")] = False,
    # No environment variable here: in the image (where SUBSHIFT_CONTRACTS_REPO is set for `contracts publish`)
    # topics come from the client package the services run with.
    repo: Annotated[Path | None, typer.Option(
        help="Repository whose manifest to use (default: the git top level of the current directory).")] = None,
    manifest: ManifestOption = None,
) -> None:
    """Create missing topics (partitions, replication, retention, dead-letter topics); exit 1 if one differs.

    Topics come from the manifest of --repo or of the current directory's repository; outside a
    repository (the image, a deployment job) from the copy generated into the client package.
    """
    from subshift.config import load_settings
    from subshift.messaging.publish import render_topic
    from subshift.messaging.topics_admin import admin_client, ensure_topics, prefixed, specs_from_manifest

    settings = load_settings()
    from subshift_client import topics as packaged

    loaded = _repository_manifest(repo, manifest)
    if loaded is None:
        typer.echo("topics from the installed client package (no repository here)", err=True)
    specs = packaged.ALL_TOPICS if loaded is None else specs_from_manifest(loaded)
    outcomes = ensure_topics(admin_client(settings.kafka),
                             prefixed(specs, settings.kafka.topic_prefix), dry_run=dry_run)
    for outcome in outcomes:
        typer.echo(render_topic(outcome))
    if any(o.refused for o in outcomes):
        raise typer.Exit(1)


def _repository_manifest(repo: Path | None, manifest: Path | None) -> Manifest | None:
    """The repository's manifest; ``None`` when none was named and the current directory has none."""
    from subshift_contracts_core.errors import ContractError
    from subshift_contracts_core.repository import MANIFEST_CANDIDATES, find_repository, open_manifest

    if repo is None and manifest is None:
        try:
            here = find_repository()
        except ContractError:
            return None
        if not any((here / candidate).is_file() for candidate in MANIFEST_CANDIDATES):
            return None
    return open_manifest(repo, manifest)[1]
