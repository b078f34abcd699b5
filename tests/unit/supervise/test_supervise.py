"""`subshift serve all`'s supervisor: one child failing stops the rest; a stop request drains all of them."""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable

from subshift.supervise import serve_command, supervise

_SLEEPER = "import signal, sys, time; signal.signal(signal.SIGTERM, lambda *_: sys.exit(0)); time.sleep(60)"


def _command(behaviour: dict[str, str]) -> Callable[[str], list[str]]:
    return lambda service: [sys.executable, "-c", behaviour[service]]


def test_a_child_that_fails_stops_the_others_and_gives_its_exit_code() -> None:
    started = time.monotonic()
    code = supervise(("api", "relay"), threading.Event(), grace=10,
                     command=_command({"api": "import sys; sys.exit(4)", "relay": _SLEEPER}))
    assert code == 4
    assert time.monotonic() - started < 30  # the sleeper was stopped, not waited for


def test_a_stop_request_drains_every_child_and_exits_0() -> None:
    stop = threading.Event()
    timer = threading.Timer(1.0, stop.set)
    timer.start()
    code = supervise(("api", "relay", "consumer"), stop, grace=10,
                     command=_command(dict.fromkeys(("api", "relay", "consumer"), _SLEEPER)))
    assert code == 0


def test_children_run_the_serve_command_of_their_service() -> None:
    assert serve_command("relay")[-3:] == ["subshift", "serve", "relay"]
