"""The API server: MigrationService, health checking, reflection, auth, metrics, graceful shutdown.

``create_server`` returns ``(server, port)`` so tests bind port 0. It is composed of two public
pieces, ``admission_server`` (the gRPC server with the API's interceptor, threads and options) and
``listen`` (the address, with TLS when configured), which a server for another servicer can reuse.
``ApiServer.stop`` follows the shutdown order: health NOT_SERVING (load balancers stop routing),
open watches end with UNAVAILABLE (clients resume elsewhere), no new calls are accepted, and
in-flight calls get ``api.drain_seconds`` to finish.

Health is answered twice: on the API's port (for clients) and by a small server of its own on
``api.health_addr`` with its own threads, which probes use: whatever MigrationService's callers
do to its threads, a probe is answered.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from concurrent import futures
from dataclasses import dataclass, field

import grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection
from sqlalchemy import Engine

from subshift.api.auth import TokenVerifier
from subshift.api.call_limits import CallLimits
from subshift.api.db import ThreadConnections, connect_outside_pool
from subshift.api.interceptor import ApiInterceptor, RequestPacing, role_policy
from subshift.api.metrics import ApiMetrics
from subshift.api.migration_cache import MigrationCache
from subshift.api.migration_changes import MigrationChanges
from subshift.api.production import refuse_unsafe_production
from subshift.api.request_deadline import RequestWatchdog
from subshift.api.servicer import MigrationServicer
from subshift.config import Settings
from subshift.errors import ContractError
from subshift.messaging.topic_names import dead_letter_topic, user_offers_topic
from subshift.observability.logs import get_logger
from subshift_client import migration_v1 as pb

__all__ = ["AdmissionServer", "ApiServer", "admission_server", "create_server", "listen"]

_log = get_logger(__name__)


@dataclass(frozen=True)
class AdmissionServer:
    """An unstarted gRPC server that admits calls as the API does, and the parts its shutdown needs."""

    server: grpc.Server
    limits: CallLimits
    pacing: RequestPacing


@dataclass
class ApiServer:
    """A started server and what its shutdown needs."""

    server: grpc.Server
    port: int
    health: health.HealthServicer
    metrics: ApiMetrics
    # The worker threads' own connections for GetMigration; close them once the server has stopped.
    reads: ThreadConnections
    # Keeps GetMigration's cache current; None when the cache is off (``api.migration_cache_seconds`` 0).
    changes: MigrationChanges | None = None
    stopping: threading.Event = field(default_factory=threading.Event)
    # The server answering only health checks, and its port (None: ``api.health_addr`` is off).
    health_server: grpc.Server | None = None
    health_port: int | None = None
    limits: CallLimits | None = None
    watchdog: RequestWatchdog | None = None

    def __iter__(self) -> Iterator[grpc.Server | int]:
        """``server, port = create_server(...)`` works too."""
        return iter((self.server, self.port))

    def stop(self, grace: float) -> threading.Event:
        """Shut down gracefully (see the module docstring); returns the event set when done."""
        self.health.enter_graceful_shutdown()
        self.stopping.set()
        done: threading.Event = self.server.stop(grace)
        if self.health_server is not None:
            self.health_server.stop(0)  # its answer is NOT_SERVING from here on; nothing to drain
        if self.watchdog is not None:
            self.watchdog.close()  # draining calls have their messages; no new call is waiting for one
        if self.changes is not None:
            self.changes.stop()  # calls still draining read the database
        return done


def _credentials(settings: Settings) -> grpc.ServerCredentials | None:
    api = settings.api
    if api.tls_cert is None and api.tls_key is None:
        return None
    if api.tls_cert is None or api.tls_key is None:
        raise ContractError("TLS needs both api.tls_cert and api.tls_key")
    try:
        return grpc.ssl_server_credentials([(api.tls_key.read_bytes(), api.tls_cert.read_bytes())])
    except OSError as error:
        raise ContractError(f"cannot read the TLS certificate or key: {error}") from error


def _bind(server: grpc.Server, bind: str, credentials: grpc.ServerCredentials | None) -> int:
    try:
        port = server.add_secure_port(bind, credentials) if credentials else server.add_insecure_port(bind)
    except RuntimeError as error:
        raise ContractError(f"cannot listen on {bind}: {error}") from error
    if port == 0:
        raise ContractError(f"cannot listen on {bind} (in use?)")
    return port


def _health_address(settings: Settings, bind: str) -> tuple[str | None, bool]:
    """Where the health server listens, and whether that was configured (else derived from ``bind``)."""
    configured = settings.api.health_addr
    if configured is not None:
        return (None if configured.strip().lower() in ("", "off") else configured), True
    host, _, port = bind.rpartition(":")
    return f"{host}:{int(port) + 1 if port.isdigit() and int(port) else 0}", False


def _health_server(servicer: health.HealthServicer, address: str, verifier: TokenVerifier,
                   pacing: RequestPacing) -> tuple[grpc.Server, int]:
    # Health checks are tiny unary calls: a few threads, requests read under the same deadline, and a
    # bound on queued calls so a flood is refused, not queued. Plaintext on purpose: Kubernetes' gRPC
    # probe speaks no TLS, and health carries no credentials and no data (keep the port cluster-internal).
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=4, thread_name_prefix="subshift-health"),
                         interceptors=[ApiInterceptor(verifier, {}, None, pacing=pacing)],  # public: no token is asked
                         maximum_concurrent_rpcs=64, options=[("grpc.so_reuseport", 0)])
    health_pb2_grpc.add_HealthServicer_to_server(servicer, server)
    port = _bind(server, address, None)
    server.start()
    return server, port


def admission_server(settings: Settings, verifier: TokenVerifier, metrics: ApiMetrics) -> AdmissionServer:
    """A gRPC server, not started and serving nothing yet, that admits calls as the API does.

    Its interceptor checks the token and the role each MigrationService method's contract asks for,
    caps open calls (per caller and overall) and paces the request's messages; its thread pool,
    concurrency cap and HTTP/2 options come from ``api``. Add servicers, then ``listen`` and start it.
    """
    api = settings.api
    limits = CallLimits(api)
    pacing = RequestPacing(RequestWatchdog(), first_seconds=api.request_message_seconds,
                           next_seconds=api.upload_idle_seconds)
    server = grpc.server(
        futures.ThreadPoolExecutor(max_workers=api.max_workers, thread_name_prefix="subshift-api"),
        interceptors=[ApiInterceptor(verifier, role_policy([pb.MIGRATION_SERVICE]), metrics, limits=limits,
                                     pacing=pacing)],
        # Every call holds a worker thread for its whole life (a slow upload, a watch). Beyond that many,
        # gRPC's default queues new calls where they hang until their deadline; refuse them at once with
        # RESOURCE_EXHAUSTED instead, so a client knows to back off. The caps on watches and uploads
        # (``call_limits``) keep threads free for short calls.
        maximum_concurrent_rpcs=api.max_workers,
        options=api.grpc_options(),
    )
    return AdmissionServer(server=server, limits=limits, pacing=pacing)


def listen(server: grpc.Server, settings: Settings, address: str | None = None) -> int:
    """Bind ``server`` to ``address`` (default ``api.addr``), with TLS when ``api.tls_*`` are set; the port.

    Raises:
        ContractError: TLS is half configured, a key file is unreadable, or the address cannot be bound.
    """
    return _bind(server, address or settings.api.addr, _credentials(settings))


def create_server(settings: Settings, engine: Engine, *, address: str | None = None,
                  verifier: TokenVerifier | None = None, metrics: ApiMetrics | None = None) -> ApiServer:
    """Build and start the API server on ``address`` (default ``api.addr``; port 0 picks a free one).

    Raises:
        ContractError: production mode on unsafe settings (``production``), TLS is half configured, a key
            file is unreadable, or the address cannot be bound.
    """
    refuse_unsafe_production(settings, bind=address or settings.api.addr)
    metrics = metrics or ApiMetrics()
    verifier = verifier or TokenVerifier(settings.auth)
    admission = admission_server(settings, verifier, metrics)
    server, limits, pacing = admission.server, admission.limits, admission.pacing
    topic = user_offers_topic(settings.kafka)
    stopping = threading.Event()
    reads = ThreadConnections(engine)
    migrations: MigrationCache[uuid.UUID, pb.Migration] = MigrationCache(max_age=settings.api.migration_cache_seconds)
    changes = MigrationChanges(lambda: connect_outside_pool(engine), migrations) if migrations.enabled else None
    pb.add_MigrationServiceServicer_to_server(
        MigrationServicer(engine, settings, topic=topic.name, dead_letter_topic=dead_letter_topic(topic),
                          stopping=stopping, metrics=metrics, reads=reads, migrations=migrations),
        server,
    )
    health_servicer = health.HealthServicer()
    health_pb2_grpc.add_HealthServicer_to_server(health_servicer, server)
    service_name = pb.MIGRATION_SERVICE.full_name
    reflection.enable_server_reflection((service_name, health.SERVICE_NAME, reflection.SERVICE_NAME), server)
    bind = address or settings.api.addr
    port = listen(server, settings, bind)
    health_address, configured = _health_address(settings, bind)
    health_server: grpc.Server | None = None
    health_port: int | None = None
    if health_address:
        try:
            health_server, health_port = _health_server(health_servicer, health_address, verifier, pacing)
        except ContractError as error:
            if configured:
                raise
            # Only the derived default (the API's port + 1) may be taken by something else: say so, go on.
            _log.warning("health_server_not_started", reason=str(error),
                         fix="set SUBSHIFT_API_HEALTH_ADDR to a free address (or 'off')")
    server.start()
    if changes is not None:
        changes.start()
    for name in ("", service_name):
        health_servicer.set(name, health_pb2.HealthCheckResponse.SERVING)
    return ApiServer(server=server, port=port, health=health_servicer, metrics=metrics, stopping=stopping,
                     reads=reads, changes=changes, health_server=health_server, health_port=health_port,
                     limits=limits, watchdog=pacing.watchdog)
