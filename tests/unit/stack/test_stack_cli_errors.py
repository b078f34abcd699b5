"""Expected failures of `subshift stack` end in one readable message and an exit code, never a traceback."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _stack(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {
        **os.environ, "SUBSHIFT_STATE_DIR": str(tmp_path / "state"), "SUBSHIFT_STACK_CACHE_DIR": str(tmp_path / "c"),
        "SUBSHIFT_STACK_KAFKA_PORT": str(_free_port()), "SUBSHIFT_STACK_KAFKA_CONTROLLER_PORT": str(_free_port()),
        "SUBSHIFT_STACK_REGISTRY_PORT": str(_free_port()),
        "SUBSHIFT_STACK_REGISTRY_MANAGEMENT_PORT": str(_free_port()), **env,
    }
    return subprocess.run([sys.executable, "-m", "subshift", "stack", *args], env=environment,
                          capture_output=True, text=True, timeout=120, check=False)


def test_up_refuses_a_port_held_by_another_process(tmp_path: Path) -> None:
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        port = squatter.getsockname()[1]
        result = _stack(tmp_path, "up", SUBSHIFT_STACK_POSTGRES_PORT=str(port))
    assert result.returncode == 3
    assert f"port {port} (postgres) on 127.0.0.1 is taken by pid {os.getpid()}" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_status_of_a_stack_that_is_not_running_exits_3(tmp_path: Path) -> None:
    result = _stack(tmp_path, "status", SUBSHIFT_STACK_POSTGRES_PORT=str(_free_port()))
    assert result.returncode == 3
    assert result.stdout.count("not running") == 3


def test_down_names_the_services_it_knows(tmp_path: Path) -> None:
    result = _stack(tmp_path, "down", "zookeeper")
    assert result.returncode == 1
    assert "unknown service zookeeper; choose from postgres, kafka, registry" in result.stderr
    assert "Traceback" not in result.stderr
