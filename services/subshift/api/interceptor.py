"""The server interceptor: who may call what, read from the contract, enforced for every method.

The role each method needs is the ``required_role`` option on the method in the proto; the
policy is built from the service descriptors, so a new method is protected the moment it is
declared. A method of a protected service without the option needs ADMIN (fail closed). Health
checking and reflection are public. Failures are generic for the caller (``UNAUTHENTICATED``:
"missing or invalid credentials"); the reason goes to the server log only.

Each call then passes, in this order: authentication and the role check (before any request
message is read, so an anonymous caller costs no waiting thread), the caps on open calls
(``call_limits``), and the request message read under its deadline (``request_deadline``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import grpc
import structlog
from google.protobuf.descriptor import ServiceDescriptor

from subshift.api.auth import CURRENT_CALLER, Role, TokenVerifier
from subshift.api.call_limits import CallLimits, Limit, LimitAround
from subshift.api.errors import AuthenticationError
from subshift.api.handlers import Around, wrap_handler
from subshift.api.metrics import ApiMetrics, MetricsAround
from subshift.api.request_deadline import RequestWatchdog, request_streaming
from subshift.observability.logs import get_logger
from subshift_client.migration_v1 import MIGRATION_SERVICE, required_role

__all__ = ["PUBLIC_SERVICES", "ApiInterceptor", "RequestPacing", "role_policy"]

PUBLIC_SERVICES = ("grpc.health.v1.Health", "grpc.reflection.v1alpha.ServerReflection",
                   "grpc.reflection.v1.ServerReflection")
_GENERIC = "missing or invalid credentials"
_WATCH = f"/{MIGRATION_SERVICE.full_name}/WatchMigration"
_UPLOAD = f"/{MIGRATION_SERVICE.full_name}/CreateMigration"
_log = get_logger(__name__)


def role_policy(services: Iterable[ServiceDescriptor]) -> dict[str, Role]:
    """gRPC method path → least role, from each method's ``required_role`` option."""
    policy: dict[str, Role] = {}
    for service in services:
        for method in service.methods:
            declared = method.GetOptions().Extensions[required_role]
            policy[f"/{service.full_name}/{method.name}"] = Role(declared) if declared else Role.ADMIN
    return policy


def _bearer(metadata: Iterable[tuple[str, str | bytes]] | None) -> str:
    values = [value for key, value in metadata or () if key == "authorization"]
    if len(values) != 1 or not isinstance(values[0], str):
        return ""
    scheme, _, token = values[0].partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


def _client(metadata: Iterable[tuple[str, str | bytes]] | None) -> str:
    # The caller's library and version ("subshift-client-python/0.2.0 grpc-python/1.85.4 …"): which client
    # versions still call is what the compatibility policy's support window is decided on.
    return next((value for key, value in metadata or () if key == "user-agent" and isinstance(value, str)), "")


def _make_log_context() -> None:
    """Create the log context's ``client`` variable now, before any call runs.

    structlog creates a key's ``ContextVar`` on the key's first bind, without a lock: two calls binding it
    for the first time at once (the first uploads after a start) each made one, the second replaced the
    first in structlog's registry, and the first call's reset then failed ("created by a different
    ContextVar"): its caller got UNKNOWN.
    """
    structlog.contextvars.reset_contextvars(**structlog.contextvars.bind_contextvars(client=""))


class _AuthAround(Around):
    def __init__(self, verifier: TokenVerifier, method: str, required: Role) -> None:
        self._verifier = verifier
        self._method = method
        self._required = required

    def before(self, context: grpc.ServicerContext) -> Any:
        metadata = context.invocation_metadata()
        client = _client(metadata)
        try:
            caller = self._verifier.verify(_bearer(metadata))
        except AuthenticationError as error:
            _log.warning("unauthenticated", method=self._method, peer=context.peer(), reason=str(error), client=client)
            context.abort(grpc.StatusCode.UNAUTHENTICATED, _GENERIC)
        if caller.role is None or caller.role < self._required:
            _log.warning("permission_denied", method=self._method, subject=caller.subject,
                         role=caller.role.name if caller.role else None, required=self._required.name, client=client)
            context.abort(grpc.StatusCode.PERMISSION_DENIED,
                          f"this call needs the {self._required.name.lower()} role")
        # Every line logged while the call runs names the client that made it.
        return CURRENT_CALLER.set(caller), structlog.contextvars.bind_contextvars(client=client)

    def after(self, context: grpc.ServicerContext, state: Any, error: BaseException | None) -> None:
        caller, logged = state
        structlog.contextvars.reset_contextvars(**logged)
        CURRENT_CALLER.reset(caller)


@dataclass(frozen=True)
class RequestPacing:
    """How long a call may take to send its first request message, and an upload each later one."""

    watchdog: RequestWatchdog
    first_seconds: float
    next_seconds: float


class ApiInterceptor(grpc.ServerInterceptor):
    """Authenticates, authorises and admits each call, paces its request messages, and measures it."""

    def __init__(self, verifier: TokenVerifier, policy: Mapping[str, Role], metrics: ApiMetrics | None, *,
                 limits: CallLimits | None = None, pacing: RequestPacing | None = None) -> None:
        self._verifier = verifier
        self._policy = policy
        self._metrics = metrics
        self._limits = limits
        self._pacing = pacing
        _make_log_context()
        # method → (the registered handler, its wrapped form): wrapping is done once per method, not per call
        self._wrapped: dict[str, tuple[grpc.RpcMethodHandler[Any, Any], grpc.RpcMethodHandler[Any, Any]]] = {}

    def intercept_service(self, continuation: Callable[[Any], grpc.RpcMethodHandler[Any, Any] | None],
                          handler_call_details: grpc.HandlerCallDetails) -> grpc.RpcMethodHandler[Any, Any] | None:
        handler = continuation(handler_call_details)
        if handler is None:
            return None
        method: str = handler_call_details.method
        known = self._wrapped.get(method)
        if known is not None and known[0] is handler:
            return known[1]
        wrapped = self._wrap(method, handler)
        self._wrapped[method] = (handler, wrapped)
        return wrapped

    def _wrap(self, method: str, handler: grpc.RpcMethodHandler[Any, Any]) -> grpc.RpcMethodHandler[Any, Any]:
        # Innermost first: the last wrapper's ``before`` runs first.
        if self._pacing is not None:
            handler = request_streaming(handler, self._pacing.watchdog, first_seconds=self._pacing.first_seconds,
                                        next_seconds=self._pacing.next_seconds)
        if method.lstrip("/").split("/", 1)[0] not in PUBLIC_SERVICES:
            if self._limits is not None:
                handler = wrap_handler(handler, LimitAround(self._limits, self._kinds(method, self._limits)))
            required = self._policy.get(method, Role.ADMIN)
            handler = wrap_handler(handler, _AuthAround(self._verifier, method, required))
        if self._metrics is not None:
            handler = wrap_handler(handler, MetricsAround(self._metrics, method))
        return handler

    @staticmethod
    def _kinds(method: str, limits: CallLimits) -> tuple[Limit, ...]:
        if method == _WATCH:
            return (limits.calls, limits.watches)
        if method == _UPLOAD:
            return (limits.calls, limits.uploads)
        return (limits.calls,)
