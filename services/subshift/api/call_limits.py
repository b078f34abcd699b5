"""Caps on the calls a caller, and all callers together, may have open at once.

Every call holds a worker thread while it runs, and watches and uploads hold one for minutes.
Without caps one token (or a few) could hold every thread and starve everyone else, the admin
included. Each kind of call has a per-caller and an overall cap; a call past a cap is refused at
once with ``RESOURCE_EXHAUSTED`` and a message naming the cap, so the caller knows what to close.
"""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass
from typing import Any

import grpc

from subshift.api.auth import CURRENT_CALLER
from subshift.api.handlers import Around
from subshift.config import ApiSettings

__all__ = ["CallLimits", "Limit", "LimitAround", "LimitExceeded"]

_ALL = ""  # the overall count's key


@dataclass(frozen=True, slots=True)
class Limit:
    """One kind of call's caps; ``setting`` names them in messages (``api.max_<setting>``)."""

    kind: str
    overall: int | None
    per_caller: int
    setting: str


class LimitExceeded(Exception):
    """A cap is reached; the message names it and is safe to show the caller."""


class CallLimits:
    """Counts open calls by kind and caller; ``enter`` admits or refuses, ``leave`` releases."""

    def __init__(self, settings: ApiSettings) -> None:
        self.calls = Limit("call", None, settings.max_calls_per_caller, "calls")
        self.watches = Limit("watch", settings.max_watches, settings.max_watches_per_caller, "watches")
        self.uploads = Limit("upload", settings.max_uploads, settings.max_uploads_per_caller, "uploads")
        self._open: dict[str, Counter[str]] = {limit.kind: Counter() for limit in (self.calls, self.watches,
                                                                                       self.uploads)}
        self._lock = threading.Lock()

    def enter(self, limits: tuple[Limit, ...], subject: str) -> None:
        """Count one more call of each of ``limits`` for ``subject``, or none.

        Raises:
            LimitExceeded: one of the caps is reached (nothing was counted).
        """
        with self._lock:
            for limit in limits:
                counts = self._open[limit.kind]
                if counts[subject] >= limit.per_caller:
                    raise LimitExceeded(
                        f"too many open {limit.setting} for this caller: the limit is {limit.per_caller} "
                        f"(api.max_{limit.setting}_per_caller); close one or retry later")
                if limit.overall is not None and counts[_ALL] >= limit.overall:
                    raise LimitExceeded(
                        f"too many open {limit.setting} on this server: the limit is {limit.overall} "
                        f"(api.max_{limit.setting}); retry later")
            for limit in limits:
                self._open[limit.kind][subject] += 1
                self._open[limit.kind][_ALL] += 1

    def leave(self, limits: tuple[Limit, ...], subject: str) -> None:
        with self._lock:
            for limit in limits:
                counts = self._open[limit.kind]
                counts[subject] -= 1
                counts[_ALL] -= 1
                if counts[subject] <= 0:
                    del counts[subject]  # forget callers who have nothing open

    def open_count(self, kind: str, subject: str = _ALL) -> int:
        with self._lock:
            return self._open[kind][subject]


class LimitAround(Around):
    """Admits an authenticated call under its caps (runs after authentication, before the request is read)."""

    def __init__(self, limits: CallLimits, kinds: tuple[Limit, ...]) -> None:
        self._limits = limits
        self._kinds = kinds

    def before(self, context: grpc.ServicerContext) -> Any:
        subject = CURRENT_CALLER.get().subject
        try:
            self._limits.enter(self._kinds, subject)
        except LimitExceeded as error:
            context.abort(grpc.StatusCode.RESOURCE_EXHAUSTED, str(error))
        return subject

    def after(self, context: grpc.ServicerContext, state: Any, error: BaseException | None) -> None:
        if state is not None:
            self._limits.leave(self._kinds, state)
