"""Peak resident memory of the services under test, sampled from outside by a background thread.

psutil reads ``/proc``, so sampling costs the measured processes nothing. Each sample sums a
process and its children (``subshift serve`` may fork helpers), and the series is kept coarse
(at most ``_KEEP`` points) so a long run can still show whether memory stays flat.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

import psutil

__all__ = ["RssSampler", "RssSeries"]

_KEEP = 240


@dataclass
class RssSeries:
    """Resident set size of one service over a run, in bytes."""

    peak: int = 0
    samples: list[tuple[float, int]] = field(default_factory=list)
    cpu_seconds: float = 0.0  # user + system time, as last seen (the process's whole life)

    def add(self, at: float, rss: int) -> None:
        self.peak = max(self.peak, rss)
        self.samples.append((at, rss))
        if len(self.samples) > _KEEP:
            del self.samples[1::2]  # halve the resolution, keep the whole span

    def first_last_mb(self) -> tuple[float, float]:
        """RSS at the first and last sample (MB): equal-ish means flat over the run."""
        if not self.samples:
            return 0.0, 0.0
        return self.samples[0][1] / 1e6, self.samples[-1][1] / 1e6


def _usage(process: psutil.Process) -> tuple[int, float]:
    """RSS bytes and CPU seconds of a process and its children."""
    rss, cpu = 0, 0.0
    try:
        for member in (process, *process.children(recursive=True)):
            try:
                rss += member.memory_info().rss
                times = member.cpu_times()
                cpu += times.user + times.system
            except psutil.Error:
                continue
    except psutil.Error:
        return 0, 0.0
    return rss, cpu


class RssSampler:
    """Samples the RSS of named processes every ``interval`` seconds until stopped."""

    def __init__(self, interval: float = 0.2) -> None:
        self._interval = interval
        self._watched: dict[str, list[psutil.Process]] = {}
        self.series: dict[str, RssSeries] = {}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="rss-sampler", daemon=True)
        self._started = time.monotonic()

    def watch(self, name: str, pid: int) -> None:
        """Add a process to the series ``name`` (several processes of one name are summed)."""
        with self._lock:
            self._watched.setdefault(name, []).append(psutil.Process(pid))
            self.series.setdefault(name, RssSeries())

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        self._thread.join(5)

    def cpu_seconds(self, name: str) -> float:
        """CPU seconds of ``name``'s processes over their lives, as last sampled."""
        series = self.series.get(name)
        return round(series.cpu_seconds, 2) if series else 0.0

    def cpu_now(self, name: str) -> float:
        """CPU seconds of ``name``'s running processes so far, read now (for a window within their lives)."""
        with self._lock:
            processes = list(self._watched.get(name, ()))
        return sum(_usage(process)[1] for process in processes if process.is_running())

    def peak_mb(self, name: str) -> float:
        series = self.series.get(name)
        return round(series.peak / 1e6, 1) if series else 0.0

    def _loop(self) -> None:
        while not self._stop.wait(self._interval):
            now = time.monotonic() - self._started
            with self._lock:
                watched = {name: list(processes) for name, processes in self._watched.items()}
            for name, processes in watched.items():
                usage = [_usage(process) for process in processes if process.is_running()]
                rss = sum(u[0] for u in usage)
                if rss:
                    series = self.series[name]
                    series.add(now, rss)
                    series.cpu_seconds = max(series.cpu_seconds, sum(u[1] for u in usage))
