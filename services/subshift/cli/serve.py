"""`subshift serve`: run one of Subshift's long-lived processes in the foreground."""

from __future__ import annotations

import signal
import threading

import typer

from subshift.config import load_settings
from subshift.observability.logs import configure_logging

__all__ = ["app"]

app = typer.Typer(help="serve commands.", no_args_is_help=True)


def _stop_on_signals() -> threading.Event:
    """An event set by SIGTERM or SIGINT: the process drains (finishes its batch, commits) and exits."""
    stop = threading.Event()

    def handle(signum: int, _frame: object) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, handle)
    signal.signal(signal.SIGINT, handle)
    return stop


@app.command("api")
def api() -> None:
    """Serve the migration API (gRPC on SUBSHIFT_API_ADDR, metrics on SUBSHIFT_API_METRICS_PORT) until SIGTERM.

    Example: SUBSHIFT_API_ADDR=127.0.0.1:50051 subshift serve api
    """
    from subshift.api.run import serve_api
    from subshift.db.engine import make_engine

    configure_logging()
    settings = load_settings()
    # One pooled connection per worker thread: with fewer, calls beyond the pool open and close a
    # connection each, a large share of the API's CPU under load (docs/performance/api-database-reads.md).
    database = settings.database.model_copy(
        update={"pool_size": max(settings.database.pool_size, settings.api.max_workers)})
    serve_api(settings, make_engine(database), _stop_on_signals())


@app.command("relay")
def relay() -> None:
    """Publish staged migration items to Kafka (the outbox relay); several may run side by side."""
    from subshift.outbox.service import serve_relay

    configure_logging()
    serve_relay(load_settings(), _stop_on_signals())


@app.command("consumer")
def consumer() -> None:
    """Apply migration events to subscriptions (one member of the consumer group)."""
    from subshift.apply.service import serve_consumer

    configure_logging()
    serve_consumer(load_settings(), _stop_on_signals())


@app.command("all")
def all_() -> None:
    """Run the API, the relay and the consumer together, each in its own process; Ctrl-C stops all three.

    For development and demos; in production run each as its own deployment and scale them apart.

    Example: subshift serve all
    """
    from subshift.supervise import supervise

    raise typer.Exit(supervise(("api", "relay", "consumer"), _stop_on_signals()))
