"""`subshift stack`: run the local Kafka, registry and PostgreSQL servers (see subshift_tooling.stack)."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from subshift.config import Settings, load_settings
from subshift_tooling.stack import LocalStack, ServiceStatus, client_environment, export_lines
from subshift_tooling.stack.health import unhealthy_report

__all__ = ["app"]

app = typer.Typer(help="Run the local stack: Apache Kafka, Apicurio Registry, PostgreSQL.", no_args_is_help=True)

KafkaPort = Annotated[int | None, typer.Option(help="Kafka client port [default: 9092, SUBSHIFT_STACK_KAFKA_PORT].")]
RegistryPort = Annotated[
    int | None, typer.Option(help="Registry HTTP port [default: 8081, SUBSHIFT_STACK_REGISTRY_PORT].")
]
PostgresPort = Annotated[
    int | None, typer.Option(help="PostgreSQL port [default: 5433, SUBSHIFT_STACK_POSTGRES_PORT].")
]
Brokers = Annotated[
    int | None, typer.Option(min=1, max=5, help="Kafka nodes [default: 1, SUBSHIFT_STACK_KAFKA_BROKERS].")
]


def _settings(kafka_port: int | None, registry_port: int | None, postgres_port: int | None,
              brokers: int | None) -> Settings:
    settings = load_settings()
    overrides = {
        "kafka_port": kafka_port, "registry_port": registry_port, "postgres_port": postgres_port,
        "kafka_brokers": brokers,
    }
    chosen = {key: value for key, value in overrides.items() if value is not None}
    if chosen:
        settings = settings.model_copy(update={"stack": settings.stack.model_copy(update=chosen)})
    return settings


def _print_table(statuses: list[ServiceStatus]) -> None:
    table = Table("service", "endpoint", "pid", "health")
    for status in statuses:
        pids = ",".join(str(pid) for pid in status.pids) or "-"
        health = "[green]healthy[/]" if status.healthy else f"[red]{status.problem}[/]"
        table.add_row(status.name, status.endpoint, pids, health)
    console = Console()
    if not console.is_terminal:
        console.width = 120  # piped or captured output: never truncate an endpoint
    console.print(table)


@app.command()
def fetch() -> None:
    """Download Kafka and the registry from Maven Central into the cache (once per version)."""
    for line in LocalStack(load_settings()).fetch():
        typer.echo(line)


@app.command()
def up(kafka_port: KafkaPort = None, registry_port: RegistryPort = None, postgres_port: PostgresPort = None,
       brokers: Brokers = None) -> None:
    """Start every server that is not running and wait until all are healthy (idempotent)."""
    stack = LocalStack(_settings(kafka_port, registry_port, postgres_port, brokers))
    _print_table(stack.up())
    typer.echo(f"state in {stack.paths.state_dir}; `eval \"$(subshift stack env)\"` points clients at it")


@app.command()
def down(services: Annotated[list[str] | None, typer.Argument(
        help="Only these (postgres, kafka, registry); all by default.")] = None) -> None:
    """Stop the servers (SIGTERM, wait, then SIGKILL); data stays for the next `up`."""
    stopped = LocalStack(load_settings()).down(services or [])
    typer.echo(f"stopped: {', '.join(stopped)}" if stopped else "nothing was running")


@app.command()
def status(kafka_port: KafkaPort = None, registry_port: RegistryPort = None, postgres_port: PostgresPort = None,
           brokers: Brokers = None) -> None:
    """Each server's endpoint and health, with the end of its log when unhealthy. Exit 3 if any is unhealthy."""
    stack = LocalStack(_settings(kafka_port, registry_port, postgres_port, brokers))
    statuses = stack.status()
    _print_table(statuses)
    for service, state in zip(stack.services, statuses, strict=True):
        if state.problem is not None and state.pids:
            typer.echo(unhealthy_report(service, state.problem, lines=15), err=True)
    if not all(state.healthy for state in statuses):
        raise typer.Exit(3)


@app.command()
def smoke() -> None:
    """Send one Avro record through Kafka and the registry and log in to the database (clients' view)."""
    from subshift_tooling.stack.smoke import smoke_round_trip  # the registry client is slow to import; only here

    for line in smoke_round_trip(load_settings()):
        typer.echo(f"ok  {line}")


@app.command()
def env(kafka_port: KafkaPort = None, registry_port: RegistryPort = None, postgres_port: PostgresPort = None,
        brokers: Brokers = None, principal: Annotated[str, typer.Option(
            "--principal", help="With SUBSHIFT_STACK_KAFKA_AUTH=scram, whose Kafka credentials: admin, relay, "
            "consumer or replay.")] = "admin") -> None:
    """Print `export SUBSHIFT_…=…` lines for the shell: eval "$(subshift stack env)"."""
    stack = LocalStack(_settings(kafka_port, registry_port, postgres_port, brokers))
    typer.echo(export_lines(client_environment(stack.settings.stack, stack.paths, principal=principal)), nl=False)
