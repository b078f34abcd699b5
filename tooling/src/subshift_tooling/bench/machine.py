"""The machine a benchmark ran on, so numbers are never quoted without it."""

from __future__ import annotations

import os
import platform
from dataclasses import dataclass
from pathlib import Path

import psutil

__all__ = ["Machine", "describe_machine", "load_average"]


@dataclass(frozen=True)
class Machine:
    cpu_model: str
    cores: int
    ram_gb: float
    python: str
    kernel: str


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def describe_machine() -> Machine:
    """Cores, memory and CPU model of this machine (from ``/proc`` and psutil)."""
    return Machine(
        cpu_model=_cpu_model(),
        cores=os.cpu_count() or 1,
        ram_gb=round(psutil.virtual_memory().total / 2**30, 1),
        python=platform.python_version(),
        kernel=platform.release(),
    )


def load_average() -> tuple[float, float, float]:
    """The 1, 5 and 15 minute load averages (other work on the machine skews every number)."""
    one, five, fifteen = os.getloadavg()
    return round(one, 2), round(five, 2), round(fifteen, 2)
