"""GetMigration's cache: what it serves from memory, and when it reads again."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from subshift.api.migration_cache import MigrationCache


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


class Loads:
    """A loader that counts its calls and returns the current value of each key."""

    def __init__(self) -> None:
        self.values: dict[str, str] = {"m": "v1"}
        self.calls = 0
        self.during: Callable[[], None] | None = None

    def __call__(self, key: str) -> str:
        self.calls += 1
        if self.during is not None:
            self.during()
        return self.values[key]


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def loads() -> Loads:
    return Loads()


def live_cache(clock: Clock, max_age: float = 10.0) -> MigrationCache[str, str]:
    cache: MigrationCache[str, str] = MigrationCache(max_age=max_age, clock=clock)
    cache.set_live(True)
    return cache


def test_a_live_cache_reads_a_key_once_and_again_after_it_is_dropped(clock: Clock, loads: Loads) -> None:
    cache = live_cache(clock)

    assert [cache.get("m", loads) for _ in range(3)] == ["v1", "v1", "v1"]
    assert loads.calls == 1

    loads.values["m"] = "v2"
    cache.drop("m")

    assert cache.get("m", loads) == "v2"
    assert loads.calls == 2


def test_a_cache_that_is_not_live_reads_every_time(clock: Clock, loads: Loads) -> None:
    cache: MigrationCache[str, str] = MigrationCache(max_age=10.0, clock=clock)
    cache.get("m", loads)
    cache.get("m", loads)
    assert loads.calls == 2


def test_going_dark_forgets_what_was_read_while_live(clock: Clock, loads: Loads) -> None:
    cache = live_cache(clock)
    cache.get("m", loads)
    loads.values["m"] = "v2"

    cache.set_live(False)  # the listener lost its connection: a change may go unheard

    assert cache.get("m", loads) == "v2"
    assert cache.get("m", loads) == "v2"
    assert loads.calls == 3


def test_a_value_read_while_a_change_arrived_is_not_kept(clock: Clock, loads: Loads) -> None:
    cache = live_cache(clock)
    # The read returns v1, but a change to the key is heard before it is stored: v1 may predate it.
    loads.during = lambda: cache.drop("m")

    assert cache.get("m", loads) == "v1"

    loads.during = None
    loads.values["m"] = "v2"
    assert cache.get("m", loads) == "v2"


def test_an_entry_is_read_again_once_older_than_max_age(clock: Clock, loads: Loads) -> None:
    cache = live_cache(clock, max_age=2.0)
    cache.get("m", loads)
    loads.values["m"] = "v2"  # a change this process never heard of

    clock.now += 1.9
    assert cache.get("m", loads) == "v1"
    clock.now += 0.2
    assert cache.get("m", loads) == "v2"


def test_max_age_zero_turns_the_cache_off(clock: Clock, loads: Loads) -> None:
    cache = live_cache(clock, max_age=0)

    cache.get("m", loads)
    cache.get("m", loads)

    assert not cache.enabled and not cache.live
    assert loads.calls == 2


def test_a_failed_read_caches_nothing(clock: Clock, loads: Loads) -> None:
    cache = live_cache(clock)
    with pytest.raises(KeyError):
        cache.get("missing", loads)
    loads.values["missing"] = "now here"
    assert cache.get("missing", loads) == "now here"


def test_a_full_cache_starts_over_instead_of_growing(clock: Clock) -> None:
    cache: MigrationCache[int, int] = MigrationCache(max_age=10.0, max_entries=3, clock=clock)
    cache.set_live(True)
    calls: list[int] = []

    def load(key: int) -> int:
        calls.append(key)
        return key

    for key in (1, 2, 3, 4, 1):
        cache.get(key, load)

    assert calls == [1, 2, 3, 4, 1]  # 4 found it full; 1 was forgotten with the rest
