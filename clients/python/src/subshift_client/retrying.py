"""Retrying transient failures: exponential backoff with full jitter."""

from __future__ import annotations

import random
import time
from collections.abc import Iterator
from dataclasses import dataclass

__all__ = ["RetryPolicy"]


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How often and how patiently to retry a call that failed with ``UNAVAILABLE``.

    ``attempts`` counts every try, the first included; ``attempts=1`` never retries.
    """

    attempts: int = 6
    initial_backoff: float = 0.2
    max_backoff: float = 5.0
    multiplier: float = 2.0

    def delays(self) -> Iterator[float]:
        """The pause before each retry (``attempts - 1`` of them)."""
        ceiling = self.initial_backoff
        for _ in range(self.attempts - 1):
            # Full jitter: clients that failed together do not come back together.
            yield random.uniform(0, ceiling)  # noqa: S311 -- jitter, not secrecy
            ceiling = min(self.max_backoff, ceiling * self.multiplier)

    @staticmethod
    def sleep(seconds: float) -> None:
        time.sleep(seconds)
