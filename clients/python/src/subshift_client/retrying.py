"""One retry policy for every call: which failures are retried, how long to pause, and the deadline.

A call's ``timeout`` is its whole budget, retries and pauses included (as in Google's API clients):
each attempt gets what is left of it, and no pause is started that would end past it. Retried:

- ``UNAVAILABLE``: the server could not be reached or asked to come back (exponential backoff, full jitter);
- ``RESOURCE_EXHAUSTED``: the server is at its limit; when it says how long to wait (``google.rpc.RetryInfo``
  or the ``grpc-retry-pushback-ms`` trailer), the pause is at least that long.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import grpc

from subshift_client.api_errors import ApiError, DeadlineExceededError

__all__ = ["RETRYABLE_CODES", "CallBudget", "RetryPolicy"]

RETRYABLE_CODES = frozenset({grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.RESOURCE_EXHAUSTED})


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How often and how patiently to retry a call that failed with ``UNAVAILABLE`` or ``RESOURCE_EXHAUSTED``.

    ``attempts`` counts every try, the first included; ``attempts=1`` never retries. The total time is
    bounded by the call's ``timeout``, whatever ``attempts`` allows.
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


@dataclass(slots=True)
class CallBudget:
    """The deadline of one call (``method``, ``timeout`` seconds from now) and its remaining retries."""

    method: str
    timeout: float
    policy: RetryPolicy
    clock: Callable[[], float] = time.monotonic
    _deadline: float = field(init=False)
    _delays: Iterator[float] = field(init=False)

    def __post_init__(self) -> None:
        self._deadline = self.clock() + self.timeout
        self._delays = self.policy.delays()

    def remaining(self) -> float:
        """Seconds left before the call's deadline (0 when it has passed)."""
        return max(0.0, self._deadline - self.clock())

    def attempt_timeout(self) -> float:
        """The deadline to give the next attempt: all that is left.

        Raises:
            DeadlineExceededError: nothing is left.
        """
        left = self.remaining()
        if left <= 0:
            raise DeadlineExceededError.of(self.method, self.timeout)
        return left

    def pause_before_retry(self, failure: ApiError, *, replayable: bool = True) -> float:
        """The pause before retrying after ``failure``.

        Raises:
            ApiError: ``failure`` itself, when it is not retryable, the request cannot be sent again,
                the attempts are spent, or the pause would end past the deadline.
        """
        if failure.code not in RETRYABLE_CODES or not replayable:
            raise failure
        backoff = next(self._delays, None)
        if backoff is None:
            raise failure
        pause = max(backoff, failure.retry_delay or 0.0)
        if pause >= self.remaining():
            raise failure
        return pause
