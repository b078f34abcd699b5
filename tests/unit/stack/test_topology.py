"""The Kafka cluster size chosen at `up` is remembered by later commands unless set explicitly."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from subshift.config import Settings
from subshift.config.stack import StackSettings
from subshift.errors import InfrastructureError
from subshift_tooling.stack import LocalStack
from subshift_tooling.stack.ports import port_in_use


def _settings(tmp_path: Path, **stack: int) -> Settings:
    return Settings(state_dir=tmp_path, stack=StackSettings(cache_dir=tmp_path / "cache", **stack))


def test_default_is_one_node_in_the_kafka_directory(tmp_path: Path) -> None:
    stack = LocalStack(_settings(tmp_path))
    assert stack.kafka.endpoint == "127.0.0.1:9092"
    assert [process.name for process in stack.kafka.processes()] == ["kafka"]
    assert stack.paths.kafka_dir(1) == tmp_path.resolve() / "kafka"


def test_a_remembered_three_node_cluster_is_addressed_without_the_flag(tmp_path: Path) -> None:
    (tmp_path / "kafka-brokers").write_text("3\n")
    stack = LocalStack(_settings(tmp_path))
    assert stack.kafka.endpoint == "127.0.0.1:9092,127.0.0.1:9093,127.0.0.1:9094"
    assert [process.name for process in stack.kafka.processes()] == ["kafka-1", "kafka-2", "kafka-3"]


def test_an_explicit_broker_count_wins_over_the_remembered_one(tmp_path: Path) -> None:
    (tmp_path / "kafka-brokers").write_text("3\n")
    assert LocalStack(_settings(tmp_path, kafka_brokers=1)).kafka.endpoint == "127.0.0.1:9092"


def test_clusters_of_different_sizes_keep_separate_data(tmp_path: Path) -> None:
    paths = LocalStack(_settings(tmp_path)).paths
    assert paths.kafka_dir(1) != paths.kafka_dir(3)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_up_names_the_node_of_another_cluster_size_that_holds_a_port(tmp_path: Path) -> None:
    kafka_port = _free_port()
    # A stand-in for node 2 of a 3-node cluster from this state dir: the marker and the port are what count.
    script = (f"import socket, time; s = socket.socket(); s.bind(('127.0.0.1', {kafka_port})); s.listen(); "
              "time.sleep(60)")
    node = subprocess.Popen([sys.executable, "-c", script, "kafka.Kafka"])
    try:
        (tmp_path / "run").mkdir()
        (tmp_path / "run" / "kafka-2.pid").write_text(f"{node.pid}\n")
        settings = _settings(tmp_path, kafka_port=kafka_port, kafka_controller_port=_free_port(),
                             registry_port=_free_port(), registry_management_port=_free_port(),
                             postgres_port=_free_port(), kafka_brokers=1)
        for _ in range(50):
            if port_in_use("127.0.0.1", kafka_port):
                break
            time.sleep(0.1)
        with pytest.raises(InfrastructureError, match=f"port {kafka_port} is held by kafka-2, a node of this stack"):
            LocalStack(settings).up()
    finally:
        node.kill()
        node.wait()
