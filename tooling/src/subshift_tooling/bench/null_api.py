"""The API's admission with a do-nothing ``GetMigration``: the latency floor of gRPC, auth and metrics.

Run as ``python -m subshift_tooling.bench.null_api`` (settings from ``SUBSHIFT_*``, like ``subshift serve
api``); it serves until SIGTERM. Everything but the servicer is the real server's: ``admission_server``
(the interceptor's JWT check, role policy, caps and metrics; the thread pool and options) and ``listen``
(the address, with TLS when configured), plus health on the same port, which the bench waits for.
"""

from __future__ import annotations

import signal
import threading

import grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc

from subshift.api.auth import TokenVerifier
from subshift.api.metrics import ApiMetrics
from subshift.api.server import admission_server, listen
from subshift.config import load_settings
from subshift.observability.logs import configure_logging, get_logger
from subshift.runtime import tune_interpreter, wait_for_stop
from subshift_client import migration_v1 as pb

__all__ = ["get_migration", "main", "null_service"]

_log = get_logger(__name__)


def get_migration(request: pb.GetMigrationRequest, context: grpc.ServicerContext) -> pb.GetMigrationResponse:
    """``GetMigration`` answered with an empty migration, touching no database."""
    return pb.GetMigrationResponse(migration=pb.Migration(migration_id=request.migration_id))


def null_service() -> grpc.GenericRpcHandler:
    """MigrationService with only the do-nothing ``GetMigration``; its other methods are UNIMPLEMENTED."""
    return grpc.method_handlers_generic_handler(pb.MIGRATION_SERVICE.full_name, {
        "GetMigration": grpc.unary_unary_rpc_method_handler(
            get_migration, request_deserializer=pb.GetMigrationRequest.FromString,
            response_serializer=pb.GetMigrationResponse.SerializeToString),
    })


def main() -> None:
    """Serve the null servicer until SIGTERM or SIGINT."""
    configure_logging()
    settings = load_settings()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    admission = admission_server(settings, TokenVerifier(settings.auth), ApiMetrics())
    admission.server.add_generic_rpc_handlers((null_service(),))
    checks = health.HealthServicer()
    health_pb2_grpc.add_HealthServicer_to_server(checks, admission.server)
    port = listen(admission.server, settings)
    admission.server.start()
    checks.set("", health_pb2.HealthCheckResponse.SERVING)
    tune_interpreter()
    _log.info("api_serving", addr=settings.api.addr, port=port, servicer="null")
    wait_for_stop(stop)
    admission.server.stop(1.0).wait(5)
    admission.pacing.watchdog.close()


if __name__ == "__main__":
    main()
