"""Usage errors: one sentence on standard error and exit 2, for what the user typed wrong.

Click's own usage errors (an unknown flag, a value not of the type) keep Click's rendering; these
are the ones a command finds itself: a missing file, an address that is not one, a bad duration.
"""

from __future__ import annotations

import re
from typing import NoReturn

import typer
from rich.console import Console
from rich.markup import escape

__all__ = ["check_addr", "usage_error"]

# host:port, [v6]:port, or a gRPC target scheme (dns:, unix:, ipv4:, ipv6:, xds:) taken as given.
_HOST_PORT = re.compile(r"(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?):(\d{1,5})")
_SCHEMES = ("dns:", "unix:", "unix-abstract:", "ipv4:", "ipv6:", "xds:")


def usage_error(sentence: str) -> NoReturn:
    """Print ``error: <sentence>`` on standard error and exit 2."""
    Console(stderr=True, soft_wrap=True).print(f"[bold red]error:[/] {escape(sentence)}", highlight=False)
    raise typer.Exit(2)


def check_addr(addr: str | None) -> None:
    """Exit 2 with a sentence when ``addr`` (from --addr or SUBSHIFT_API_ADDR) is not an address."""
    if addr is None or addr.startswith(_SCHEMES):
        return
    match = _HOST_PORT.fullmatch(addr)
    if match is None or not 0 < int(match.group(1)) < 65536:
        usage_error(f"--addr {addr!r} is not an address: give host:port, e.g. 127.0.0.1:50051 "
                    "(from --addr or SUBSHIFT_API_ADDR)")
