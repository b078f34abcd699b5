"""CPU time the local stack's servers (PostgreSQL, Kafka, the registry) spend during one run.

On a small machine the services under test and the servers share the same cores, so where the CPU
goes decides the throughput. Two snapshots, at the start and the end of a run, each summing a
server's process, the children it has reaped and its live children (PostgreSQL's backends).
"""

from __future__ import annotations

import psutil

from subshift.config import Settings
from subshift_tooling.stack.ports import listening_pid

__all__ = ["ServerCpu"]


def _cpu(pid: int) -> float:
    try:
        root = psutil.Process(pid)
        times = root.cpu_times()
        total = times.user + times.system + times.children_user + times.children_system
        for child in root.children(recursive=True):
            try:
                child_times = child.cpu_times()
                total += child_times.user + child_times.system
            except psutil.Error:
                continue
        return total
    except psutil.Error:
        return 0.0


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
        self._start = self._snapshot()

    def _snapshot(self) -> dict[str, float]:
        return {name: sum(_cpu(pid) for pid in pids) for name, pids in self._pids.items()}

    def seconds(self) -> dict[str, float]:
        """CPU seconds each server used since this object was made."""
        end = self._snapshot()
        return {name: round(end[name] - self._start.get(name, 0.0), 2) for name in end}
