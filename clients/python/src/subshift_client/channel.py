"""Where and how the client connects: address, token and TLS, from arguments or the environment.

Environment (used when the argument is not given):

- ``SUBSHIFT_API_ADDR``: ``host:port`` of the API (default ``127.0.0.1:50051``).
- ``SUBSHIFT_TOKEN``: the bearer token (a JWT) sent with every call.
- ``SUBSHIFT_API_TLS_CA``: a PEM bundle to verify the server with; turns TLS on.
- ``SUBSHIFT_API_TLS``: ``true`` turns TLS on with the system's trusted roots.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import grpc

__all__ = ["DEFAULT_ADDR", "ChannelOptions", "open_channel"]

DEFAULT_ADDR = "127.0.0.1:50051"
_MAX_MESSAGE_BYTES = 16 * 1024 * 1024  # results pages and reports may exceed gRPC's 4 MiB default
_TRUE = frozenset({"1", "true", "yes", "on"})


@dataclass(frozen=True, slots=True)
class ChannelOptions:
    addr: str
    token: str | None
    tls: bool
    root_certificates: bytes | None
    tls_server_name: str | None

    @classmethod
    def resolve(
        cls,
        *,
        addr: str | None,
        token: str | None,
        tls: bool | None,
        root_certificates: Path | bytes | None,
        tls_server_name: str | None,
    ) -> ChannelOptions:
        """Fill what the caller left out from the environment (see the module docstring)."""
        if root_certificates is None and os.environ.get("SUBSHIFT_API_TLS_CA"):
            root_certificates = Path(os.environ["SUBSHIFT_API_TLS_CA"])
        pem = root_certificates.read_bytes() if isinstance(root_certificates, Path) else root_certificates
        if tls is None:
            tls = pem is not None or os.environ.get("SUBSHIFT_API_TLS", "").lower() in _TRUE
        return cls(
            addr=addr or os.environ.get("SUBSHIFT_API_ADDR") or DEFAULT_ADDR,
            token=token if token is not None else os.environ.get("SUBSHIFT_TOKEN") or None,
            tls=tls,
            root_certificates=pem,
            tls_server_name=tls_server_name,
        )

    def metadata(self) -> tuple[tuple[str, str | bytes], ...]:
        """The metadata sent with every call."""
        return (("authorization", f"Bearer {self.token}"),) if self.token else ()


def open_channel(options: ChannelOptions) -> grpc.Channel:
    """A channel to ``options.addr``; connecting waits for the first call."""
    settings: list[tuple[str, object]] = [
        ("grpc.max_receive_message_length", _MAX_MESSAGE_BYTES),
        ("grpc.max_send_message_length", _MAX_MESSAGE_BYTES),
    ]
    if options.tls_server_name:
        settings.append(("grpc.ssl_target_name_override", options.tls_server_name))
    if options.tls:
        credentials = grpc.ssl_channel_credentials(root_certificates=options.root_certificates)
        return grpc.secure_channel(options.addr, credentials, options=settings)
    return grpc.insecure_channel(options.addr, options=settings)
