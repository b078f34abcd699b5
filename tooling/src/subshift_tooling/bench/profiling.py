"""Sampling profiles of the services while they work (py-spy, attached from outside).

``py-spy record --format raw`` writes collapsed stacks (``frame;frame;… count``) of the samples
in which a thread was on the CPU (waiting threads are not sampled); from them
the report keeps, per service, the functions with the most samples on top of the stack (self
time) and the share of samples spent in each of our packages (inclusive), so a reader sees
where the time goes without opening a flame graph. The raw files stay in the run directory
(``speedscope.app`` and ``flamegraph.pl`` read them).
"""

from __future__ import annotations

import contextlib
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["Profile", "Profiler", "summarise"]

_RATE = 97  # samples per second: enough for hot spots, cheap for the profiled process
_TOP = 12
_AREAS = ("subshift.api", "subshift.outbox", "subshift.apply", "subshift.messaging", "subshift_client",
          "confluent_kafka", "psycopg2", "grpc", "fastavro", "structlog", "prometheus_client")


@dataclass
class Profile:
    """What one service spent its samples on."""

    samples: int = 0
    self_top: list[tuple[str, float]] = field(default_factory=list)  # (function, share of samples)
    areas: dict[str, float] = field(default_factory=dict)  # package → share of samples, inclusive
    idle: float = 0.0  # share of samples in waiting calls that still held the CPU (poll loops, spins)
    busy: float = 0.0  # samples / (rate * seconds profiled): the share of one core the process used
    raw: str = ""


def _py_spy() -> str | None:
    beside = Path(sys.executable).parent / "py-spy"
    return str(beside) if beside.exists() else shutil.which("py-spy")


class Profiler:
    """One ``py-spy record`` per service; ``finish`` stops it (SIGINT makes py-spy write its file)."""

    def __init__(self, directory: Path) -> None:
        self._directory = directory
        self._running: dict[str, tuple[subprocess.Popen[bytes], Path, float]] = {}
        self.profiles: dict[str, Profile] = {}
        self.error: str | None = None

    def attach(self, name: str, pid: int) -> None:
        tool = _py_spy()
        if tool is None:
            self.error = "py-spy is not installed (pip install -e '.[dev]')"
            return
        self._directory.mkdir(parents=True, exist_ok=True)
        output = self._directory / f"{name}.txt"
        process = subprocess.Popen(
            [tool, "record", "--pid", str(pid), "--format", "raw", "--rate", str(_RATE), "--nonblocking",
             "--full-filenames", "--output", str(output)],
            stdout=subprocess.DEVNULL, stderr=(self._directory / f"{name}.py-spy.log").open("wb"),
        )
        self._running[name] = (process, output, time.monotonic())

    def finish(self, name: str) -> None:
        entry = self._running.pop(name, None)
        if entry is None:
            return
        process, output, started = entry
        seconds = time.monotonic() - started
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(5)
        with contextlib.suppress(OSError):
            profile = summarise(output.read_text())
            profile.raw = str(output)
            profile.busy = round(profile.samples / (_RATE * seconds), 3) if seconds > 0 else 0.0
            self.profiles[name] = profile

    def finish_all(self) -> None:
        for name in list(self._running):
            self.finish(name)


_IDLE = ("sleep", "wait", "poll", "select", "recv", "read (", "accept", "_wait_for_tstate_lock", "consume (")


def _function(frame: str) -> str:
    # py-spy frames look like "function (path/to/module.py:123)"; keep function and file, drop the line.
    name, _, where = frame.partition(" (")
    path = where.rstrip(")").rsplit(":", 1)[0]
    return f"{name} ({'/'.join(path.split('/')[-2:])})" if path else name


def summarise(raw: str) -> Profile:
    """Self-time leaders and per-package shares from py-spy's collapsed stacks."""
    self_counts: Counter[str] = Counter()
    area_counts: Counter[str] = Counter()
    idle = total = 0
    for line in raw.splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        frames = stack.split(";")
        total += count
        leaf = frames[-1]
        self_counts[_function(leaf)] += count
        if any(marker in leaf for marker in _IDLE):
            idle += count
        text = stack.replace("/", ".")
        for area in _AREAS:
            if area in text:
                area_counts[area] += count
    if total == 0:
        return Profile()
    return Profile(
        samples=total,
        self_top=[(name, round(count / total, 4)) for name, count in self_counts.most_common(_TOP)],
        areas={area: round(count / total, 4) for area, count in area_counts.most_common()},
        idle=round(idle / total, 4),
    )
