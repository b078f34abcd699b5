"""``GetMigration``'s cache: each migration as last read, dropped as soon as PostgreSQL says it changed.

Clients poll ``GetMigration``. Reading the row on every call costs a database round trip, and under
load those round trips make the tail: each call gives up the GIL for the database and queues to take
it back. Answering from memory cuts that tail several-fold (docs/performance/getmigration-cache.md).

The cache is safe to serve because it hears of every change:

- a trigger on ``migrations`` announces each changed row's id when its transaction commits
  (revision 0005);
- ``MigrationChanges`` (``migration_changes``) listens for those announcements and calls ``drop``;
- entries are served only while it listens (``set_live``); a value read while any change arrived
  is not kept, as it may predate that change;
- an entry is served for at most ``max_age`` seconds, a bound for anything missed (a connection
  that died without a word).

A change committed by another process shows once this process has heard of it, about a millisecond
later on one machine. The API's own writes (cancel, revert) drop their entry before they answer.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

__all__ = ["MigrationCache"]

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class MigrationCache(Generic[K, V]):
    """A read-through cache that serves only while live, and keeps nothing read across a change.

    ``max_age`` 0 turns it off: ``get`` always loads.
    """

    def __init__(self, *, max_age: float, max_entries: int = 4096,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.max_age = max_age
        self._max_entries = max_entries
        self._clock = clock
        self._lock = threading.Lock()
        self._entries: dict[K, tuple[float, V]] = {}
        self._changes = 0  # bumped by every drop: a load that saw it move keeps nothing
        self._live = False

    @property
    def enabled(self) -> bool:
        return self.max_age > 0

    @property
    def live(self) -> bool:
        return self._live

    def get(self, key: K, load: Callable[[K], V]) -> V:
        """The cached value of ``key``, or ``load(key)`` (kept if no change arrived meanwhile).

        Raises:
            Whatever ``load`` raises; nothing is cached then.
        """
        now = self._clock()
        entry = self._entries.get(key)
        if entry is not None and now - entry[0] < self.max_age:
            return entry[1]
        changes = self._changes
        value = load(key)
        with self._lock:
            if self._live and self._changes == changes:
                if len(self._entries) >= self._max_entries:
                    self._entries.clear()
                self._entries[key] = (now, value)
        return value

    def drop(self, key: K) -> None:
        """Forget ``key``: it changed (or may have)."""
        with self._lock:
            self._changes += 1
            self._entries.pop(key, None)

    def drop_all(self) -> None:
        """Forget every key."""
        with self._lock:
            self._changes += 1
            self._entries.clear()

    def set_live(self, live: bool) -> None:
        """Serve from memory (``True``: every change from now on will be heard) or not; forgets every key."""
        with self._lock:
            self._changes += 1
            self._entries.clear()
            self._live = live and self.enabled
