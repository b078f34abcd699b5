"""Background server processes: start detached, find again by pid file, stop politely, read their logs.

A pid file alone is not trusted: the pid must belong to a live process whose command line still names
the server (``marker``), so a stale file after a reboot or a reused pid never counts as "running".
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import psutil

from subshift.errors import InfrastructureError

__all__ = ["ManagedProcess", "tail"]

_TAIL_BYTES = 64 * 1024


def _wait_gone(process: psutil.Process, timeout: float) -> bool:
    """Whether ``process`` exits within ``timeout`` seconds (a zombie counts as gone)."""
    try:
        process.wait(timeout=timeout)
        return True
    except psutil.TimeoutExpired:
        return False
    except ChildProcessError:
        # Our child, but already reaped elsewhere (subprocess reaps finished Popen children it
        # forgot about); psutil's waitpid then fails, so watch the process table instead.
        pass
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if process.status() == psutil.STATUS_ZOMBIE:
                return True
        except psutil.NoSuchProcess:
            return True
        time.sleep(0.1)
    return False


def tail(path: Path, lines: int = 30) -> str:
    """The last ``lines`` lines of a log file ('' when it does not exist)."""
    try:
        with path.open("rb") as handle:
            handle.seek(0, os.SEEK_END)
            size = handle.tell()
            handle.seek(max(0, size - _TAIL_BYTES))
            data = handle.read()
    except OSError:
        return ""
    return "\n".join(data.decode("utf-8", errors="replace").splitlines()[-lines:])


@dataclass(frozen=True)
class ManagedProcess:
    """One server process known by its pid file.

    ``pid_file`` holds the pid on its first line (our own files, and PostgreSQL's postmaster.pid alike).
    ``stop_signal`` is the signal for a clean, prompt shutdown (PostgreSQL wants SIGINT, "fast").
    """

    name: str
    pid_file: Path
    log_file: Path
    marker: str
    stop_signal: signal.Signals = signal.SIGTERM

    def pid(self) -> int | None:
        """The pid of the running server, or None when it is not running."""
        try:
            pid = int(self.pid_file.read_text(encoding="utf-8").split()[0])
            process = psutil.Process(pid)
            if process.status() == psutil.STATUS_ZOMBIE:
                return None
            if self.marker not in " ".join(process.cmdline()):
                return None
        except (OSError, ValueError, IndexError, psutil.Error):
            return None
        return pid

    def start(self, argv: Sequence[str], *, env: Mapping[str, str], cwd: Path) -> int:
        """Start ``argv`` in its own session with output appended to the log; record its pid.

        Raises:
            InfrastructureError: the program could not be executed.
        """
        self.log_file.parent.mkdir(parents=True, exist_ok=True)
        self.pid_file.parent.mkdir(parents=True, exist_ok=True)
        with self.log_file.open("ab") as log:
            try:
                # A new session: the server outlives the command that started it and ignores its Ctrl-C.
                child = subprocess.Popen(
                    list(argv), stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                    env=dict(env), cwd=cwd, start_new_session=True,
                )
            except OSError as error:
                raise InfrastructureError(
                    f"could not start {self.name} ({argv[0]}): {error}", retryable=False
                ) from error
        self.pid_file.write_text(f"{child.pid}\n", encoding="utf-8")
        return child.pid

    def stop(self, *, timeout: float) -> bool:
        """Stop the server: its stop signal, up to ``timeout`` seconds of waiting, then SIGKILL.

        Returns whether it had been running. Our own pid file is removed afterwards.
        """
        pid = self.pid()
        if pid is None:
            self._forget()
            return False
        try:
            process = psutil.Process(pid)
            process.send_signal(self.stop_signal)
            if not _wait_gone(process, timeout):
                process.kill()
                _wait_gone(process, 10)
        except psutil.NoSuchProcess:
            pass
        self._forget()
        return True

    def _forget(self) -> None:
        # PostgreSQL removes postmaster.pid itself; deleting it under a live server would be wrong.
        if self.pid_file.name != "postmaster.pid":
            self.pid_file.unlink(missing_ok=True)
