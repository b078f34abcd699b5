"""Per-migration rate limits: a token bucket each, and a fair split of every claim.

A migration's ``max_rows_per_second`` (0 = unlimited) fills its bucket; the relay never
claims more rows of a migration than its bucket holds. Each claim round splits the batch
evenly across the migrations that have work, so one large migration cannot starve a small
one running at the same time.
"""

from __future__ import annotations

import math
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

__all__ = ["FairThrottle", "TokenBucket"]

Clock = Callable[[], float]


@dataclass
class TokenBucket:
    """``rate`` tokens a second, holding at most ``burst_seconds`` worth (at least one token)."""

    rate: float
    burst_seconds: float = 1.0
    clock: Clock = time.monotonic
    tokens: float = field(init=False)
    _at: float = field(init=False)

    def __post_init__(self) -> None:
        self.tokens = self.capacity
        self._at = self.clock()

    @property
    def capacity(self) -> float:
        return max(1.0, self.rate * self.burst_seconds)

    def _refill(self) -> None:
        now = self.clock()
        self.tokens = min(self.capacity, self.tokens + (now - self._at) * self.rate)
        self._at = now

    def available(self) -> int:
        """Whole tokens available now."""
        self._refill()
        return int(self.tokens)

    def take(self, count: int) -> None:
        """Spend ``count`` tokens (claimed rows)."""
        self._refill()
        self.tokens -= count

    def seconds_until(self, count: int = 1) -> float:
        """How long until ``count`` tokens are there (0 when they already are)."""
        self._refill()
        missing = min(count, self.capacity) - self.tokens
        return 0.0 if missing <= 0 else missing / self.rate


@dataclass
class FairThrottle:
    """The buckets of all running migrations and the fair split of a batch among them."""

    clock: Clock = time.monotonic
    _buckets: dict[uuid.UUID, TokenBucket] = field(default_factory=dict)

    def allowances(self, migrations: Sequence[tuple[uuid.UUID, int]], batch_size: int) -> dict[uuid.UUID, int]:
        """Rows each migration may claim now; ``migrations`` pairs ids with ``max_rows_per_second``.

        Buckets of migrations no longer listed are dropped; a changed rate replaces the bucket.
        """
        live = {mid for mid, _ in migrations}
        for gone in set(self._buckets) - live:
            del self._buckets[gone]
        if not migrations:
            return {}
        share = max(1, math.ceil(batch_size / len(migrations)))
        result: dict[uuid.UUID, int] = {}
        for mid, rate in migrations:
            if rate <= 0:
                result[mid] = share
                continue
            bucket = self._buckets.get(mid)
            if bucket is None or bucket.rate != rate:
                bucket = self._buckets[mid] = TokenBucket(rate=float(rate), clock=self.clock)
            result[mid] = min(share, bucket.available())
        return result

    def spend(self, migration_id: uuid.UUID, count: int) -> None:
        """Record ``count`` rows claimed for ``migration_id``."""
        bucket = self._buckets.get(migration_id)
        if bucket is not None:
            bucket.take(count)

    def seconds_until_any(self) -> float:
        """How long until some limited migration may claim again (0 when one may now)."""
        if not self._buckets:
            return 0.0
        return min(bucket.seconds_until(1) for bucket in self._buckets.values())
