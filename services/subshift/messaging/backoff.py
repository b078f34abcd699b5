"""Exponential backoff with full jitter, shared by the relay and the consumer.

Full jitter (a uniform draw between zero and the capped exponential) spreads the retries
of many processes that failed at the same moment, so a recovering database or broker is
not hit by all of them at once.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

__all__ = ["Backoff"]


@dataclass
class Backoff:
    """Delays for attempt 1, 2, 3 …: ``uniform(floor, min(cap, base * 2**(attempt-1)))``.

    ``floor`` keeps a retry loop from ever spinning (no zero delay).
    """

    base_seconds: float = 0.1
    cap_seconds: float = 10.0
    floor_seconds: float = 0.01
    rng: random.Random = field(default_factory=random.Random)
    attempts: int = 0

    def next_delay(self) -> float:
        """Count one more failed attempt and return how long to wait before the next."""
        self.attempts += 1
        ceiling = min(self.cap_seconds, self.base_seconds * 2 ** min(self.attempts - 1, 30))
        ceiling = max(ceiling, self.floor_seconds)
        return self.rng.uniform(self.floor_seconds, ceiling)

    def reset(self) -> None:
        """Forget past failures (call after a success)."""
        self.attempts = 0
