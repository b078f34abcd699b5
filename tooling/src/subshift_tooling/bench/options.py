"""What a bench run measures and how big it is (``subshift bench`` options)."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["BenchOptions"]


@dataclass(frozen=True, kw_only=True)
class BenchOptions:
    rows: int = 1_000_000
    subscribers: int | None = None  # default: as many as rows
    offers: int = 10
    seed: int = 42
    e2e_consumers: int = 2
    consumers: tuple[int, ...] = (1, 2, 4)
    latency_rates: tuple[int, ...] = (100, 500)
    latency_seconds: float = 10.0
    memory_rows: int = 10_000_000
    skip_baselines: bool = False
    skip_latency: bool = False
    skip_scaling: bool = False
    skip_memory: bool = False
    profile: bool = False
    database: str = "subshift_bench"  # dropped and created anew by every run
    timeout_seconds: float = 1800.0  # longest wait for one migration to finish

    @property
    def subscriber_count(self) -> int:
        return max(self.subscribers or self.rows, self.rows)
