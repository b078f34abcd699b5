"""The Kafka cluster size chosen at `up` is remembered by later commands unless set explicitly."""

from __future__ import annotations

from pathlib import Path

from subshift.config import Settings
from subshift.config.stack import StackSettings
from subshift.stack import LocalStack


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
