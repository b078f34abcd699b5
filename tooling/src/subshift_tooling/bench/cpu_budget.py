"""Where a run's CPU went: each part's CPU time per row, and how many of the machine's cores were busy.

On a small machine the services under test and the stack's servers share the same cores. A run
whose parts keep nearly every core busy is bound by the CPU: it goes faster only if some part needs
less CPU per row. One that leaves cores idle waits on something else (a lock, a round trip, a single
thread), and more of the same processes can help it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

__all__ = ["CPU_BOUND_SHARE", "CpuBudget"]

# Busy this share of every core on average, a run is bound by the CPU: the rest is scheduling slack.
CPU_BOUND_SHARE = 0.85


def _part_of(process: str) -> str:
    """The part a bench process belongs to: every ``consumer-…`` is one of the ``consumers``."""
    return "consumers" if process.startswith("consumer") else process


@dataclass(frozen=True)
class CpuBudget:
    """The CPU seconds of a run's parts (processes and servers) over ``seconds`` of wall time."""

    rows: int
    seconds: float
    cores: int
    cpu_seconds: dict[str, float]  # by part, busiest first

    @classmethod
    def of(cls, *, rows: int, seconds: float, cores: int, cpu: Mapping[str, float]) -> CpuBudget:
        """The budget of processes and servers named in ``cpu`` (consumers summed into one part)."""
        parts: dict[str, float] = {}
        for name, used in cpu.items():
            parts[_part_of(name)] = parts.get(_part_of(name), 0.0) + used
        return cls(rows, seconds, cores, dict(sorted(parts.items(), key=lambda part: -part[1])))

    @property
    def busy_cores(self) -> float:
        """Cores busy on average over the run."""
        return sum(self.cpu_seconds.values()) / self.seconds if self.seconds > 0 else 0.0

    @property
    def cpu_bound(self) -> bool:
        return self.busy_cores >= CPU_BOUND_SHARE * self.cores

    def micros_per_row(self) -> dict[str, float]:
        """Each part's CPU time per row, in microseconds, busiest first."""
        rows = max(self.rows, 1)
        return {part: used / rows * 1e6 for part, used in self.cpu_seconds.items()}

    def verdict(self) -> str:
        """Whether the CPU bounds the run, with each part's CPU per row (the figures that say where it went)."""
        spent = ", ".join(f"{part} {micros:,.0f}" for part, micros in self.micros_per_row().items())
        busy = f"{self.busy_cores:.2f} of {self.cores} cores busy"
        if self.cpu_bound:
            return f"CPU-bound ({busy}); CPU µs per row: {spent}"
        return f"not CPU-bound ({busy}): waits on something else; CPU µs per row: {spent}"
