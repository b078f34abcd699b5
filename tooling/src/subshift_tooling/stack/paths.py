"""Where the local stack keeps its state (per checkout) and its downloads (per user).

State — data, logs, pids, generated configuration — lives under the state directory
(``.subshift/`` or ``$SUBSHIFT_STATE_DIR``) so that two checkouts never share a database.
Artifacts live under the cache directory (``~/.cache/subshift``) so that they are fetched once.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from subshift_tooling.stack.postgres_home import postgres_home

__all__ = ["StackPaths"]


@dataclass(frozen=True)
class StackPaths:
    """Every file and directory the stack reads or writes, derived from two roots."""

    state_dir: Path
    cache_dir: Path

    @classmethod
    def create(cls, state_dir: Path, cache_dir: Path) -> StackPaths:
        # Absolute paths: servers run in their own working directories and pid files must not
        # depend on where a command was started.
        return cls(state_dir=state_dir.expanduser().resolve(), cache_dir=cache_dir.expanduser().resolve())

    @property
    def logs_dir(self) -> Path:
        return self.state_dir / "logs"

    @property
    def run_dir(self) -> Path:
        return self.state_dir / "run"

    def log_file(self, service: str) -> Path:
        return self.logs_dir / f"{service}.log"

    def pid_file(self, service: str) -> Path:
        return self.run_dir / f"{service}.pid"

    # Kafka ---------------------------------------------------------------------------------
    def kafka_home(self, version: str) -> Path:
        return self.cache_dir / f"kafka-{version}"

    def kafka_libs(self, version: str) -> Path:
        return self.kafka_home(version) / "libs"

    @property
    def kafka_brokers_file(self) -> Path:
        """The node count of the last `up`, so later commands address the same cluster."""
        return self.state_dir / "kafka-brokers"

    def kafka_dir(self, brokers: int, *, auth: bool = False) -> Path:
        # Each cluster size keeps its own data: KRaft's voter set is fixed when storage is formatted,
        # so a 3-node cluster cannot reuse the 1-node cluster's logs (nor the other way round). So does
        # an authenticated cluster: its SCRAM principals are written into the metadata at format time.
        name = "kafka" if brokers == 1 else f"kafka-{brokers}-nodes"
        return self.state_dir / (f"{name}-scram" if auth else name)

    def kafka_node_dir(self, brokers: int, node_id: int, *, auth: bool = False) -> Path:
        return self.kafka_dir(brokers, auth=auth) / f"node-{node_id}"

    def kafka_cluster_id_file(self, brokers: int, *, auth: bool = False) -> Path:
        return self.kafka_dir(brokers, auth=auth) / "cluster.id"

    # Registry ------------------------------------------------------------------------------
    def registry_home(self, version: str) -> Path:
        return self.cache_dir / f"apicurio-registry-{version}"

    @property
    def registry_dir(self) -> Path:
        return self.state_dir / "registry"

    # PostgreSQL ----------------------------------------------------------------------------
    @property
    def postgres_dir(self) -> Path:
        """``postgres/`` in the state, or a folder of its own when the server's user cannot reach that."""
        return postgres_home(self.state_dir)

    @property
    def postgres_data(self) -> Path:
        return self.postgres_dir / "data"
