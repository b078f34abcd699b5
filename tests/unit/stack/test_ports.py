"""Detecting a port that another process already holds."""

from __future__ import annotations

import os
import socket

from subshift_tooling.stack.ports import port_holder, port_in_use


def test_listening_port_is_reported_taken_with_its_holder() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        port = server.getsockname()[1]
        assert port_in_use("127.0.0.1", port)
        assert f"pid {os.getpid()} " in (port_holder(port) or "")


def test_wildcard_listener_also_takes_the_loopback_port() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as server:
        server.bind(("0.0.0.0", 0))  # noqa: S104 - the point is a listener on every address
        server.listen()
        assert port_in_use("127.0.0.1", server.getsockname()[1])


def test_released_port_is_free() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as server:
        server.bind(("127.0.0.1", 0))
        port = server.getsockname()[1]
    assert not port_in_use("127.0.0.1", port)
