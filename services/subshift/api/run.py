"""Run the API in the foreground until SIGTERM or SIGINT, then drain (``subshift serve api``)."""

from __future__ import annotations

import threading

from prometheus_client import start_http_server
from sqlalchemy import Engine

from subshift.api.server import create_server
from subshift.config import Settings
from subshift.errors import ContractError
from subshift.observability.logs import get_logger
from subshift.observability.migration_metrics import register_migration_metrics
from subshift.observability.tracing import configure_tracing
from subshift.runtime import tune_interpreter, wait_for_stop

__all__ = ["serve_api"]

_log = get_logger(__name__)


def _host(address: str) -> str:
    host = address.rsplit(":", 1)[0].strip("[]")
    return host or "127.0.0.1"


def serve_api(settings: Settings, engine: Engine, stop: threading.Event) -> None:
    """Serve until ``stop`` is set, then shut down gracefully within ``api.drain_seconds``.

    Raises:
        ContractError: the server or its metrics endpoint cannot be configured or bound.
    """
    tracing = configure_tracing(settings.tracing, service="api")
    api = create_server(settings, engine)
    register_migration_metrics(api.metrics.registry, engine)  # migrations by state, read at scrape time
    if settings.api.metrics_port:
        try:
            start_http_server(settings.api.metrics_port, addr=_host(settings.api.addr), registry=api.metrics.registry)
        except OSError as error:
            api.stop(0)
            raise ContractError(f"cannot serve metrics on port {settings.api.metrics_port}: {error}; "
                                "set SUBSHIFT_API_METRICS_PORT (0 turns metrics off)") from error
    tune_interpreter()
    if not settings.auth.production:
        # Said loudly on every start: development mode may accept tokens signed with a public secret.
        _log.warning("api_development_mode", detail="DEVELOPMENT MODE: not for production; set "
                     "SUBSHIFT_AUTH_PRODUCTION=true with RS256/ES256 keys and TLS before exposing this API")
    _log.info("api_serving", addr=settings.api.addr, port=api.port, metrics_port=settings.api.metrics_port,
              tls=settings.api.tls_cert is not None)
    wait_for_stop(stop)
    _log.info("api_draining", grace_seconds=settings.api.drain_seconds)
    api.stop(settings.api.drain_seconds).wait(settings.api.drain_seconds + 5)
    api.reads.close()
    engine.dispose()
    if tracing is not None:
        tracing.shutdown()
    _log.info("api_stopped")
