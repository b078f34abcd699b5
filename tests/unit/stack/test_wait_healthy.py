"""Waiting for a started server: a process missing at one look is looked at again before the start fails."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from subshift.errors import InfrastructureError
from subshift_tooling.stack import health


@dataclass
class _Process:
    name: str
    log_file: Path
    pids: Iterator[int | None]  # one answer per look

    def pid(self) -> int | None:
        return next(self.pids)


@dataclass
class _Server:
    process: _Process
    healthy_after: int  # probes answered "starting" before the first healthy answer
    probes: int = 0
    name: str = "registry"
    endpoint: str = "http://127.0.0.1:1/"
    ports: list[int] = field(default_factory=list)

    def processes(self) -> list[Any]:
        return [self.process]

    def launch(self) -> None:
        pass

    def probe(self) -> str | None:
        self.probes += 1
        return None if self.probes > self.healthy_after else "health endpoint unreachable"


@pytest.fixture(autouse=True)
def _quick(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(health, "_POLL_SECONDS", 0.01)
    monkeypatch.setattr(health, "_CONFIRM_SECONDS", 0.05)


def _looks(*answers: int | None, then: int | None) -> Iterator[int | None]:
    yield from answers
    while True:
        yield then


def test_a_process_missed_at_one_look_is_not_declared_dead(tmp_path: Path) -> None:
    server = _Server(_Process("registry", tmp_path / "registry.log", _looks(None, then=4242)), healthy_after=20)
    health.wait_healthy([server], timeout=30)
    assert server.probes == 21


def test_a_process_that_stays_gone_fails_the_start_with_its_log(tmp_path: Path) -> None:
    log = tmp_path / "registry.log"
    log.write_text("Error: Could not create the Java Virtual Machine.\n")
    server = _Server(_Process("registry", log, _looks(4242, then=None)), healthy_after=10**6)
    with pytest.raises(InfrastructureError) as raised:
        health.wait_healthy([server], timeout=30)
    message = str(raised.value)
    assert "registry exited during start-up" in message
    assert "Could not create the Java Virtual Machine" in message
    assert server.probes < 1000  # refused within the confirmation time, not at the timeout
