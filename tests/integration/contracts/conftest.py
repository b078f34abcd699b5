"""A throwaway copy of the contracts whose topics and subjects have unique names, removed afterwards."""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from confluent_kafka.admin import AdminClient
from confluent_kafka.schema_registry import SchemaRegistryClient
from confluent_kafka.schema_registry.error import SchemaRegistryError

from subshift.contracts_manifest import load_manifest


def _rename(raw: dict[str, Any], prefix: str) -> None:
    for topic in raw["topics"]:
        topic["name"] = prefix + topic["name"]
        if topic.get("dead_letter_topic"):
            topic["dead_letter_topic"] = prefix + topic["dead_letter_topic"]
        if topic["value"].get("subject"):
            topic["value"]["subject"] = f"{topic['name']}-value"


@pytest.fixture
def temp_contracts(tmp_path: Path, kafka_admin: AdminClient,
                   schema_registry: SchemaRegistryClient) -> Iterator[Path]:
    """A copy of contracts/ with every topic renamed ``t-<random>-<name>``; its topics and subjects are
    deleted when the test ends."""
    root = tmp_path / "contracts"
    shutil.copytree(Path(__file__).resolve().parents[3] / "contracts", root)
    manifest_path = root / "subjects.yaml"
    raw = yaml.safe_load(manifest_path.read_text(encoding="utf-8"))
    _rename(raw, f"t-{uuid.uuid4().hex[:8]}-")
    manifest_path.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    yield root
    manifest = load_manifest(root)
    existing = kafka_admin.list_topics(timeout=15).topics
    doomed = [t.name for t in manifest.topics if t.name in existing]
    if doomed:
        for future in kafka_admin.delete_topics(doomed, operation_timeout=15).values():
            future.result(timeout=15)
    for topic in manifest.avro_topics:
        _delete_subject(schema_registry, topic.value.subject or "")


def _delete_subject(registry: SchemaRegistryClient, subject: str) -> None:
    for permanent in (False, True):
        try:
            registry.delete_subject(subject, permanent=permanent)
        except SchemaRegistryError as error:
            if error.http_status_code != 404:
                raise

