"""The API server stack with a do-nothing ``GetMigration``: the latency floor of gRPC, auth and metrics.

Run as ``python -m subshift_tooling.bench.null_api`` (settings from ``SUBSHIFT_*``, like ``subshift serve
api``); it serves until SIGTERM. Everything but the servicer's body is the real server:
``create_server`` with its interceptor (JWT check, role policy, metrics), thread pool and options.
"""

from __future__ import annotations

import signal
import threading

import grpc

from subshift.api.server import create_server
from subshift.api.servicer import MigrationServicer
from subshift.config import load_settings
from subshift.db.engine import make_engine
from subshift.observability.logs import configure_logging, get_logger
from subshift.runtime import tune_interpreter, wait_for_stop
from subshift_client import migration_v1 as pb

__all__ = ["NullServicer", "main"]

_log = get_logger(__name__)


class NullServicer(MigrationServicer):
    """Answers ``GetMigration`` with an empty migration, touching no database."""

    def GetMigration(self, request: pb.GetMigrationRequest,
                     context: grpc.ServicerContext) -> pb.GetMigrationResponse:
        return pb.GetMigrationResponse(migration=pb.Migration(migration_id=request.migration_id))


def main() -> None:
    """Serve the null servicer until SIGTERM or SIGINT."""
    configure_logging()
    settings = load_settings()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    engine = make_engine(settings.database)
    api = create_server(settings, engine, servicer_type=NullServicer)
    tune_interpreter()
    _log.info("api_serving", addr=settings.api.addr, port=api.port, servicer="null")
    wait_for_stop(stop)
    api.stop(1.0).wait(5)
    api.reads.close()
    engine.dispose()


if __name__ == "__main__":
    main()
