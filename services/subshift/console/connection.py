"""The connection flags every ``migrate`` command takes, each backed by an environment variable."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from subshift.console.usage import check_addr
from subshift_client import SubshiftClient

__all__ = ["AddrOption", "TimeoutOption", "TlsCaOption", "TlsOption", "TokenOption", "open_client"]

AddrOption = Annotated[
    str | None,
    typer.Option("--addr", envvar="SUBSHIFT_API_ADDR", help="API address host:port (default 127.0.0.1:50051)."),
]
TokenOption = Annotated[
    str | None,
    typer.Option("--token", envvar="SUBSHIFT_TOKEN", help="Bearer token (JWT); see `subshift token`.",
                 show_default=False),
]
TlsOption = Annotated[
    bool, typer.Option("--tls", envvar="SUBSHIFT_API_TLS", help="Use TLS with the system's trusted roots.")
]
TlsCaOption = Annotated[
    Path | None,
    typer.Option("--tls-ca", envvar="SUBSHIFT_API_TLS_CA", exists=True, dir_okay=False,
                 help="PEM bundle to verify the API with (turns TLS on)."),
]
TimeoutOption = Annotated[float, typer.Option("--timeout", min=0.1, help="Seconds to wait for each call.")]


def open_client(
    addr: str | None, token: str | None, tls: bool, tls_ca: Path | None, timeout: float = 30.0
) -> SubshiftClient:
    """A client for these flags (unset ones fall back to the client's own defaults); exits 2 on a bad address."""
    check_addr(addr)
    return SubshiftClient(addr, token=token, tls=tls or tls_ca is not None, root_certificates=tls_ca, timeout=timeout)
