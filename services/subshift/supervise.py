"""Run several ``subshift serve`` processes as one (``subshift serve all``).

Each service runs in its own child process (its own interpreter, so the API, the relay and the
consumer do not share one GIL). The supervisor:

1. starts every child, each in its own process group, with its output passed through;
2. waits until one child exits or SIGTERM/SIGINT arrives;
3. sends SIGTERM to the children still running, so each drains as it would alone;
4. waits up to ``grace`` seconds, then SIGKILLs what is left;
5. returns the first non-zero exit code (0 when it was asked to stop and all drained).
"""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence

__all__ = ["serve_command", "supervise"]

_POLL_SECONDS = 0.2


def serve_command(service: str) -> list[str]:
    """The command line of one ``subshift serve <service>`` child."""
    return [sys.executable, "-m", "subshift", "serve", service]


def _stop(children: dict[str, subprocess.Popen[bytes]], grace: float) -> None:
    for child in children.values():
        if child.poll() is None:
            child.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + grace
    for child in children.values():
        try:
            child.wait(timeout=max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()


def supervise(
    services: Sequence[str],
    stop: threading.Event,
    *,
    grace: float = 30.0,
    command: Callable[[str], list[str]] = serve_command,
) -> int:
    """Run ``command(service)`` (``subshift serve <service>``) for each service until one exits or ``stop`` is set.

    Returns:
        The exit code for the whole group: the first failing child's code, else 0.
    """
    # Own process groups: a terminal's Ctrl-C reaches only the supervisor, which stops the children in order.
    children = {service: subprocess.Popen(command(service), start_new_session=True) for service in services}
    failed: int | None = None
    try:
        while not stop.is_set() and failed is None:
            for service, child in children.items():
                code = child.poll()
                if code is not None:
                    print(f"subshift serve {service} exited with code {code}; stopping the others", file=sys.stderr)
                    failed = code or 1
                    break
            stop.wait(_POLL_SECONDS)
    finally:
        _stop(children, grace)
    if failed is not None:
        return failed
    codes = [child.returncode for child in children.values()]
    # A child stopped by our SIGTERM reports -15 when it had no handler yet: that is a clean stop.
    return next((code for code in codes if code not in (0, -signal.SIGTERM)), 0)
