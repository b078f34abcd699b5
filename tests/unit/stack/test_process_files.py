"""Pid files and log tails of managed processes, and finding a JDK's release."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from subshift_tooling.stack.process import ManagedProcess, tail
from subshift_tooling.stack.tools import java_release


def test_tail_returns_the_last_lines(tmp_path: Path) -> None:
    log = tmp_path / "server.log"
    log.write_text("".join(f"line {n}\n" for n in range(100)))
    assert tail(log, 3) == "line 97\nline 98\nline 99"
    assert tail(tmp_path / "missing.log") == ""


def test_stale_pid_file_does_not_count_as_running(tmp_path: Path) -> None:
    pid_file = tmp_path / "x.pid"
    pid_file.write_text(f"{os.getpid()}\n")  # a live process, but not the server named by the marker
    process = ManagedProcess("x", pid_file, tmp_path / "x.log", marker="no-such-server-marker")
    assert process.pid() is None
    assert process.stop(timeout=1) is False
    assert not pid_file.exists()


def test_started_process_is_found_and_stopped(tmp_path: Path) -> None:
    marker = str(tmp_path / "sleeper")
    process = ManagedProcess("sleeper", tmp_path / "s.pid", tmp_path / "s.log", marker=marker)
    script = "import sys, time; print('up', flush=True); time.sleep(60)"
    pid = process.start([sys.executable, "-c", script, marker], env=dict(os.environ), cwd=tmp_path)
    try:
        # Until the child has exec'd, its command line is still the parent's and carries no marker.
        deadline = time.monotonic() + 30
        while "up" not in (tmp_path / "s.log").read_text(encoding="utf-8") and time.monotonic() < deadline:
            time.sleep(0.05)
        assert process.pid() == pid
    finally:
        assert process.stop(timeout=10) is True
    assert process.pid() is None
    assert not (tmp_path / "s.pid").exists()


def test_java_release_is_read_from_the_release_file(tmp_path: Path) -> None:
    (tmp_path / "release").write_text('IMPLEMENTOR="X"\nJAVA_VERSION="21.0.4"\n')
    assert java_release(tmp_path) == 21
    assert java_release(tmp_path / "nowhere") is None

