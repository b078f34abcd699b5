"""Is a TCP port free to listen on, and if not, who holds it."""

from __future__ import annotations

import errno
import socket

import psutil

__all__ = ["listening_pid", "port_holder", "port_in_use"]


def port_in_use(host: str, port: int) -> bool:
    """Whether something already listens on (or otherwise holds) ``host:port``.

    Decided by trying to bind it, exactly what the server would do next; SO_REUSEADDR keeps
    sockets lingering in TIME_WAIT from counting as taken.
    """
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as error:
            if error.errno in (errno.EADDRINUSE, errno.EACCES):
                return True
            raise
    return False


def listening_pid(port: int) -> int | None:
    """The pid of the process listening on ``port``, when this user may see it."""
    try:
        connections = psutil.net_connections(kind="tcp")
    except (psutil.Error, OSError):
        return None
    for connection in connections:
        if connection.status == psutil.CONN_LISTEN and connection.laddr and connection.laddr.port == port:
            return connection.pid
    return None


def port_holder(port: int) -> str | None:
    """A short description (``pid 123 (java)``) of the process listening on ``port``, when visible."""
    pid = listening_pid(port)
    if pid is None:
        return None
    try:
        return f"pid {pid} ({psutil.Process(pid).name()})"
    except psutil.Error:
        return f"pid {pid}"
