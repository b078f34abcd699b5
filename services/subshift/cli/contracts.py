"""`subshift contracts`: `publish`, plus the commands other installed distributions join to it.

`publish` is the product's (the init job runs it). `check` and `compat` are the contract gate's
(subshift-contracts), joined through the ``subshift.contracts.commands`` entry point where it is
installed; where it is not (the image), they say how to get it. Development tooling joins `generate`,
`fixtures` and `release` the same way. Every command works on the repository of the current directory
(its git top level) or on ``--repo``; none reads contracts from where the package is installed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from importlib.metadata import entry_points
from typing import Annotated

import typer

from subshift.errors import InfrastructureError
from subshift_contracts_core.options import ManifestOption, RepoOption

__all__ = ["COMMANDS_ENTRY_POINT", "GATE_COMMANDS", "app", "join_commands", "missing_gate_command"]

app = typer.Typer(help="contracts commands.", no_args_is_help=True)

# Each entry point of this group is a function given this Typer app, to which it adds its commands.
COMMANDS_ENTRY_POINT = "subshift.contracts.commands"
# The contract gate's commands: present only where the subshift-contracts distribution is installed.
GATE_COMMANDS = ("check", "compat")


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
    from subshift_contracts_core.repository import open_manifest

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


def missing_gate_command(name: str) -> Callable[[], None]:
    """A stand-in for the gate's ``name`` command that says how to install the gate."""

    def command() -> None:
        raise InfrastructureError(
            f"`subshift contracts {name}` is the contract gate, which is not installed here (production images "
            "carry only `contracts publish`); install it with `pip install subshift-contracts` (from a checkout "
            "of Subshift: `pip install ./gate/core ./gate`) and rerun, or run `subshift-contracts "
            f"{name}` where it is installed", retryable=False)

    command.__doc__ = f"The contract gate's `{name}` (not installed here: running it says how to install it)."
    return command


def join_commands(contracts: typer.Typer, registrars: Iterable[Callable[[typer.Typer], None]]) -> None:
    """Let each registrar add its commands to ``contracts``; stand in for the gate's commands none added."""
    for register in registrars:
        register(contracts)
    joined = {command.name for command in contracts.registered_commands}
    for name in GATE_COMMANDS:
        if name not in joined:
            # Any options are accepted, so `check --against X` without the gate gets the same message.
            contracts.command(name, context_settings={"allow_extra_args": True, "ignore_unknown_options": True})(
                missing_gate_command(name))


# By name, so the commands' order (and the generated CLI reference) is the same in every environment.
join_commands(app, (entry.load() for entry in sorted(entry_points(group=COMMANDS_ENTRY_POINT), key=lambda e: e.name)))
