"""`subshift topics`: create or check the manifest's topics in Kafka (logic in subshift.messaging)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

__all__ = ["app"]

app = typer.Typer(help="Kafka topics from contracts/subjects.yaml.", no_args_is_help=True)


@app.command("ensure")
def ensure(
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Say what would change; change nothing.")] = False,
    contracts: Annotated[Path | None, typer.Option(help="Contracts folder holding subjects.yaml "
                                                        "(default: the generated client's topics).")] = None,
) -> None:
    """Create missing topics (partitions, replication, retention, dead-letter topics); exit 1 if one differs."""
    from subshift.config import load_settings
    from subshift.contracts_manifest import load_manifest
    from subshift.messaging.publish import render_topic
    from subshift.messaging.topics_admin import admin_client, ensure_topics, prefixed, specs_from_manifest
    from subshift_client.topics import ALL_TOPICS

    settings = load_settings()
    specs = specs_from_manifest(load_manifest(contracts)) if contracts else ALL_TOPICS
    outcomes = ensure_topics(admin_client(settings.kafka),
                             prefixed(specs, settings.kafka.topic_prefix), dry_run=dry_run)
    for outcome in outcomes:
        typer.echo(render_topic(outcome))
    if any(o.refused for o in outcomes):
        raise typer.Exit(1)
