"""Where and how the client connects: address, token and TLS, from arguments or the environment.

Environment (used when the argument is not given):

- ``SUBSHIFT_API_ADDR``: the API's gRPC target (default ``127.0.0.1:50051``): ``host:port`` for one
  connection, ``dns:///host:port`` or ``ipv4:addr:port,addr:port`` to spread calls over every replica
  the name or the list gives (``round_robin``; see ``subshift_client.targets``).
- ``SUBSHIFT_TOKEN``: the bearer token (a JWT) sent with every call.
- ``SUBSHIFT_API_TLS_CA``: a PEM bundle to verify the server with; turns TLS on.
- ``SUBSHIFT_API_TLS``: ``true`` turns TLS on with the system's trusted roots.

A token is a credential: it is sent in clear only to a loopback address, or when the caller says
``insecure=True`` (a sidecar or a trusted network doing the encryption).
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import grpc
import grpc.aio

from subshift_client._version import __version__
from subshift_client.errors import ClientError
from subshift_client.targets import Target

__all__ = [
    "DEFAULT_ADDR",
    "ROUND_ROBIN_SERVICE_CONFIG",
    "USER_AGENT",
    "ChannelOptions",
    "InsecureChannelError",
    "TokenSource",
    "is_loopback",
    "open_aio_channel",
    "open_channel",
]

DEFAULT_ADDR = "127.0.0.1:50051"
# Sent with every call, so the server's log names the client version that made it.
USER_AGENT = f"subshift-client-python/{__version__}"
_MAX_MESSAGE_BYTES = 16 * 1024 * 1024  # results pages and reports may exceed gRPC's 4 MiB default
_TRUE = frozenset({"1", "true", "yes", "on"})
# gRPC's default service config for a balanced target: one connection per resolved address, calls in turn.
ROUND_ROBIN_SERVICE_CONFIG = json.dumps({"loadBalancingConfig": [{"round_robin": {}}]})

# A token, or a callable returning the current one (called before every attempt, so it may refresh).
TokenSource = str | Callable[[], str]
Metadata = tuple[tuple[str, str | bytes], ...]


class InsecureChannelError(ClientError):
    """A token would be sent in clear text to a non-loopback address."""


def is_loopback(addr: str) -> bool:
    """Whether ``addr`` (a gRPC target) stays on this machine: every address it names is loopback."""
    return Target.parse(addr).loopback


@dataclass(frozen=True, slots=True)
class ChannelOptions:
    addr: str
    token: TokenSource | None
    tls: bool
    root_certificates: bytes | None
    tls_server_name: str | None

    @classmethod
    def resolve(
        cls,
        *,
        addr: str | None,
        token: TokenSource | None,
        tls: bool | None,
        root_certificates: Path | bytes | None,
        tls_server_name: str | None,
        insecure: bool = False,
    ) -> ChannelOptions:
        """Fill what the caller left out from the environment (see the module docstring).

        Raises:
            InsecureChannelError: a token would go in clear to a non-loopback address without ``insecure``.
        """
        if root_certificates is None and os.environ.get("SUBSHIFT_API_TLS_CA"):
            root_certificates = Path(os.environ["SUBSHIFT_API_TLS_CA"])
        pem = root_certificates.read_bytes() if isinstance(root_certificates, Path) else root_certificates
        if tls is None:
            tls = pem is not None or os.environ.get("SUBSHIFT_API_TLS", "").lower() in _TRUE
        options = cls(
            addr=addr or os.environ.get("SUBSHIFT_API_ADDR") or DEFAULT_ADDR,
            token=token if token is not None else os.environ.get("SUBSHIFT_TOKEN") or None,
            tls=tls,
            root_certificates=pem,
            tls_server_name=tls_server_name,
        )
        if options.token is not None and not tls and not insecure and not is_loopback(options.addr):
            raise InsecureChannelError(
                f"refusing to send the bearer token in clear text to {options.addr}: turn TLS on (tls=True, "
                f"root_certificates=..., SUBSHIFT_API_TLS_CA or SUBSHIFT_API_TLS=true), or pass insecure=True "
                f"if something else encrypts the connection"
            )
        return options

    def metadata(self) -> Metadata:
        """The metadata sent with a call (the token provider, if any, is asked now)."""
        token = self.token() if callable(self.token) else self.token
        return (("authorization", f"Bearer {token}"),) if token else ()

    def channel_settings(self) -> list[tuple[str, object]]:
        """gRPC channel arguments: message limits, the user agent, TLS name, and how calls are balanced."""
        settings: list[tuple[str, object]] = [
            ("grpc.max_receive_message_length", _MAX_MESSAGE_BYTES),
            ("grpc.max_send_message_length", _MAX_MESSAGE_BYTES),
            ("grpc.primary_user_agent", USER_AGENT),
        ]
        if self.tls_server_name:
            settings.append(("grpc.ssl_target_name_override", self.tls_server_name))
        if Target.parse(self.addr).balanced:
            # A default only: a service config the resolver returns (DNS TXT, off by default) would win.
            settings.append(("grpc.service_config", ROUND_ROBIN_SERVICE_CONFIG))
        return settings


def open_channel(options: ChannelOptions) -> grpc.Channel:
    """A channel to ``options.addr``; connecting waits for the first call."""
    settings = options.channel_settings()
    if options.tls:
        credentials = grpc.ssl_channel_credentials(root_certificates=options.root_certificates)
        return grpc.secure_channel(options.addr, credentials, options=settings)
    return grpc.insecure_channel(options.addr, options=settings)


def open_aio_channel(options: ChannelOptions) -> grpc.aio.Channel:
    """An asyncio channel to ``options.addr``; connecting waits for the first call."""
    settings = options.channel_settings()
    if options.tls:
        credentials = grpc.ssl_channel_credentials(root_certificates=options.root_certificates)
        return grpc.aio.secure_channel(options.addr, credentials, options=settings)
    return grpc.aio.insecure_channel(options.addr, options=settings)
