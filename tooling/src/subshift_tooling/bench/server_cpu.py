"""CPU time the local stack's servers (PostgreSQL, Kafka, the registry) spend during one run.

On a small machine the services under test and the servers share the same cores, so where the CPU
goes decides the throughput. Two snapshots, at the start and the end of a run, each summing a
server's process, the children it has reaped and its live children (PostgreSQL's backends).

PostgreSQL's share is also split by whose work it was (``postgres_by_session``): each live backend's
CPU is put down to its ``application_name`` (every Subshift process names its sessions), or to its
``backend_type`` when it is not a client's (autovacuum, the WAL writer, the checkpointer); the CPU of
processes that ended during the run (parallel index-build workers, autovacuum workers) is known only
in sum, from what the server reaped, and is reported as such (with the postmaster's own, a trifle).
"""

from __future__ import annotations

import psutil

from subshift.config import Settings
from subshift.db.connect import connect
from subshift_tooling.stack.ports import listening_pid

__all__ = ["ServerCpu"]

_ENDED = "processes that ended during the run"


def _processes(pid: int) -> dict[int, float]:
    """CPU seconds of process ``pid`` (key 0, with the children it has reaped) and of each live descendant."""
    try:
        root = psutil.Process(pid)
        times = root.cpu_times()
        found = {0: times.user + times.system + times.children_user + times.children_system}
        for child in root.children(recursive=True):
            try:
                child_times = child.cpu_times()
            except psutil.Error:
                continue
            found[child.pid] = child_times.user + child_times.system
        return found
    except psutil.Error:
        return {}


def _cpu(pid: int) -> float:
    return sum(_processes(pid).values())


class ServerCpu:
    """CPU seconds per stack server between ``start`` and ``seconds``."""

    def __init__(self, settings: Settings) -> None:
        # Found by the ports they listen on, so a run with its own state directory still finds them.
        stack = settings.stack
        ports = {
            "postgres": [stack.postgres_port],
            "kafka": [stack.kafka_port + n for n in range(stack.kafka_brokers)],
            "registry": [stack.registry_port],
        }
        self._pids: dict[str, list[int]] = {}
        for name, listening in ports.items():
            pids = sorted({pid for port in listening if (pid := listening_pid(port)) is not None})
            if pids:
                self._pids[name] = pids
        self._settings = settings
        self._postgres_start = self._postgres_processes()
        self._start = self._snapshot(self._postgres_start)
        self.postgres_by_session: dict[str, float] = {}

    def _snapshot(self, postgres: dict[int, float]) -> dict[str, float]:
        # PostgreSQL's total from the same reading of its processes as its split by session, so the two agree.
        return {name: sum(postgres.values()) if name == "postgres" else sum(_cpu(pid) for pid in pids)
                for name, pids in self._pids.items()}

    def _postgres_processes(self) -> dict[int, float]:
        """CPU seconds of the postmaster itself (key 0, with what it reaped) and of each live child, by pid."""
        return _processes(self._pids["postgres"][0]) if "postgres" in self._pids else {}

    def _sessions(self) -> dict[int, str]:
        conn = connect(self._settings.database, application_name="subshift-bench")
        try:
            with conn.cursor() as cur:
                cur.execute("SELECT pid, application_name, backend_type FROM pg_stat_activity")
                rows = cur.fetchall()
            conn.rollback()
        finally:
            conn.close()
        return {int(pid): (str(name) if kind == "client backend" and name else str(kind)) for pid, name, kind in rows}

    def seconds(self) -> dict[str, float]:
        """CPU seconds each server used since this object was made; also fills ``postgres_by_session``."""
        processes = self._postgres_processes()
        end = self._snapshot(processes)
        sessions = self._sessions() if self._postgres_start else {}
        # A process alive at the start that ended since: what it had used before the start is in the
        # postmaster's reaped total now, and is not the run's.
        by_session: dict[str, float] = {_ENDED: -sum(cpu for pid, cpu in self._postgres_start.items()
                                                     if pid and pid not in processes)}
        for pid, cpu in processes.items():
            role = _ENDED if pid == 0 else sessions.get(pid, "other")
            by_session[role] = by_session.get(role, 0.0) + cpu - self._postgres_start.get(pid, 0.0)
        # Every role, a negative one included (a pid reused during the run), so the split adds up to the total.
        self.postgres_by_session = {role: round(cpu, 2) for role, cpu in
                                    sorted(by_session.items(), key=lambda item: -item[1]) if round(cpu, 2) != 0}
        return {name: round(end[name] - self._start.get(name, 0.0), 2) for name in end}
