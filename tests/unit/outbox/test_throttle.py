from __future__ import annotations

import uuid

from subshift.outbox.throttle import FairThrottle, TokenBucket


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_bucket_refills_at_its_rate_and_holds_one_second_at_most() -> None:
    clock = FakeClock()
    bucket = TokenBucket(rate=100, clock=clock)
    assert bucket.available() == 100
    bucket.take(100)
    assert bucket.available() == 0
    assert abs(bucket.seconds_until(10) - 0.1) < 1e-9
    clock.now += 0.25
    assert bucket.available() == 25
    clock.now += 60
    assert bucket.available() == 100


def test_unlimited_migrations_share_the_batch_evenly() -> None:
    throttle = FairThrottle(clock=FakeClock())
    a, b = uuid.uuid4(), uuid.uuid4()
    assert throttle.allowances([(a, 0), (b, 0)], 1000) == {a: 500, b: 500}


def test_a_limited_migration_gets_no_more_than_its_bucket_and_the_other_keeps_its_share() -> None:
    clock = FakeClock()
    throttle = FairThrottle(clock=clock)
    slow, fast = uuid.uuid4(), uuid.uuid4()
    first = throttle.allowances([(slow, 50), (fast, 0)], 1000)
    assert first == {slow: 50, fast: 500}
    throttle.spend(slow, 50)
    assert throttle.allowances([(slow, 50), (fast, 0)], 1000)[slow] == 0
    assert 0 < throttle.seconds_until_any() <= 0.02 + 1e-9
    clock.now += 0.5
    assert throttle.allowances([(slow, 50), (fast, 0)], 1000)[slow] == 25


def test_finished_migrations_lose_their_bucket_and_a_new_rate_replaces_it() -> None:
    clock = FakeClock()
    throttle = FairThrottle(clock=clock)
    mid = uuid.uuid4()
    throttle.allowances([(mid, 10)], 100)
    throttle.spend(mid, 10)
    assert throttle.allowances([(mid, 20)], 100)[mid] == 20
    assert throttle.allowances([], 100) == {}
    assert throttle.seconds_until_any() == 0.0
