"""What a bench run measures and how big it is (``subshift bench`` options)."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["BenchOptions"]


@dataclass(frozen=True, kw_only=True)
class BenchOptions:
    # Upload sizes: the end-to-end stage runs once per size; every other stage uses the first.
    sizes: tuple[int, ...] = (1_000_000, 10_000_000)
    subscribers: int | None = None  # default: as many as the size being run
    offers: int = 10
    seed: int = 42
    e2e_consumers: int = 2
    consumers: tuple[int, ...] = (1, 2, 4)
    latency_rates: tuple[int, ...] = (100, 500)
    latency_seconds: float = 10.0
    memory_rows: int = 10_000_000
    history_rows: int = 30_000_000  # items of finished migrations seeded before the history stage's second run
    history_migrations: int = 52  # a year of weekly migrations
    read_calls: int = 100  # calls per read measured in the history stage, one after another
    skip_baselines: bool = False
    skip_latency: bool = False
    skip_scaling: bool = False
    skip_memory: bool = False
    skip_history: bool = False
    profile: bool = False
    database: str = "subshift_bench"  # dropped and created anew by every run
    timeout_seconds: float = 1800.0  # longest wait for one migration to finish

    @property
    def rows(self) -> int:
        """The first size: the rows of every stage but the end-to-end runs of the other sizes."""
        return self.sizes[0]

    @property
    def subscriber_count(self) -> int:
        """Subscribers seeded for the first size's stages."""
        return self.subscribers_for(self.rows)

    def subscribers_for(self, rows: int) -> int:
        """Subscribers seeded for an upload of ``rows`` rows (at least one per row)."""
        return max(self.subscribers or rows, rows)
