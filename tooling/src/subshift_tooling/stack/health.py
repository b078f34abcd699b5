"""Waiting for servers to become healthy, and failing with their log when they do not."""

from __future__ import annotations

import time
from collections.abc import Sequence

from subshift.errors import InfrastructureError
from subshift_tooling.stack.process import tail
from subshift_tooling.stack.service import Service

__all__ = ["unhealthy_report", "wait_healthy"]

_POLL_SECONDS = 0.25
# A process is declared dead only when it is still missing this long after it was first seen missing:
# one look at /proc can miss a live process (a JVM just started was once found "exited" while it went on
# to start and serve), and a process that did die has by then written its last words to its log.
_CONFIRM_SECONDS = 1.0


def unhealthy_report(service: Service, reason: str, *, lines: int = 25) -> str:
    """A reason followed by the last lines of each of the service's logs."""
    parts = [f"{service.name} ({service.endpoint}): {reason}"]
    for process in service.processes():
        text = tail(process.log_file, lines)
        if text:
            parts.append(f"--- last lines of {process.log_file} ---\n{text}")
    return "\n".join(parts)


def wait_healthy(services: Sequence[Service], *, timeout: float) -> None:
    """Poll until every service is healthy.

    Raises:
        InfrastructureError: a process exited during start-up, or ``timeout`` seconds passed; the message
            carries the reason and the tail of the log.
    """
    deadline = time.monotonic() + timeout
    pending = list(services)
    missing_since: dict[str, float] = {}  # process name -> when it was first seen missing
    while pending:
        now = time.monotonic()
        for service in list(pending):
            reason = service.probe()
            if reason is None:
                pending.remove(service)
                continue
            dead = _confirmed_dead(service, missing_since, now)
            if dead:
                raise InfrastructureError(
                    unhealthy_report(service, f"{', '.join(dead)} exited during start-up"), retryable=False
                )
        if not pending:
            return
        if time.monotonic() > deadline:
            service = pending[0]
            raise InfrastructureError(
                unhealthy_report(service, f"not healthy after {timeout:.0f}s ({service.probe()})"),
                retryable=True,
            )
        time.sleep(_POLL_SECONDS)


def _confirmed_dead(service: Service, missing_since: dict[str, float], now: float) -> list[str]:
    """The service's processes missing for at least ``_CONFIRM_SECONDS``; updates ``missing_since``."""
    dead = []
    for process in service.processes():
        if process.pid() is not None:
            missing_since.pop(process.name, None)
        elif now - missing_since.setdefault(process.name, now) >= _CONFIRM_SECONDS:
            dead.append(process.name)
    return dead
