from __future__ import annotations

import random

from subshift.faults import Backoff


def test_delays_grow_exponentially_up_to_the_cap_and_never_reach_zero() -> None:
    backoff = Backoff(base_seconds=0.1, cap_seconds=2.0, floor_seconds=0.01, rng=random.Random(7))
    delays = [backoff.next_delay() for _ in range(40)]
    assert all(0.01 <= d <= 2.0 for d in delays)
    ceilings = [min(2.0, 0.1 * 2 ** i) for i in range(40)]
    assert all(d <= c for d, c in zip(delays, ceilings, strict=True))
    assert max(delays[10:]) > 1.0  # with the cap reached, draws spread over the whole range


def test_jitter_spreads_processes_that_failed_together() -> None:
    firsts = {Backoff(rng=random.Random(seed)).next_delay() for seed in range(20)}
    assert len(firsts) == 20


def test_reset_starts_over_from_the_base_delay() -> None:
    backoff = Backoff(base_seconds=0.1, cap_seconds=10.0, rng=random.Random(1))
    for _ in range(10):
        backoff.next_delay()
    backoff.reset()
    assert backoff.attempts == 0
    assert backoff.next_delay() <= 0.1
