"""The log context every call binds (``client``) exists before the first call.

structlog makes a key's ``ContextVar`` on the key's first bind, without a lock. Two calls binding it for
the first time at once (the first uploads after the API starts) each made one; the second replaced the
first in structlog's registry, the first call's reset then raised "created by a different ContextVar", and
its caller got UNKNOWN. Here the window is held open (creating the variable is made slow) so the race is
certain, not lucky.
"""

from __future__ import annotations

import contextvars
import threading
import time
import types
from typing import Any, cast

import pytest
import structlog.contextvars as log_context

from subshift.api.auth import TokenVerifier
from subshift.api.interceptor import ApiInterceptor

_KEY = f"{log_context.STRUCTLOG_KEY_PREFIX}client"


def _slow_variable(name: str, **kwargs: Any) -> contextvars.ContextVar[Any]:
    time.sleep(0.05)  # every thread has looked the key up, found nothing, and is making its own
    return contextvars.ContextVar(name, **kwargs)


def _first_binds_at_once(monkeypatch: pytest.MonkeyPatch, calls: int = 4) -> list[BaseException]:
    monkeypatch.setattr(log_context, "contextvars", types.SimpleNamespace(
        ContextVar=_slow_variable, Token=contextvars.Token, copy_context=contextvars.copy_context))
    errors: list[BaseException] = []
    start, all_bound = threading.Barrier(calls), threading.Barrier(calls)

    def call() -> None:  # as the interceptor does around a call, the calls overlapping as uploads do
        start.wait()
        tokens = log_context.bind_contextvars(client="subshift-client-python/test")
        all_bound.wait()
        try:
            log_context.reset_contextvars(**tokens)
        except ValueError as error:
            errors.append(error)

    threads = [threading.Thread(target=call) for _ in range(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    return errors


def test_first_binds_at_once_break_a_reset_when_the_variable_does_not_exist_yet(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delitem(log_context._CONTEXT_VARS, _KEY, raising=False)
    errors = _first_binds_at_once(monkeypatch)
    assert errors and "different ContextVar" in str(errors[0])


def test_the_interceptor_makes_the_variable_before_any_call(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delitem(log_context._CONTEXT_VARS, _KEY, raising=False)
    ApiInterceptor(cast(TokenVerifier, object()), {}, None)
    assert _KEY in log_context._CONTEXT_VARS
    assert _first_binds_at_once(monkeypatch) == []
