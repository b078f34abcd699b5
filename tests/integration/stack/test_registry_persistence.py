"""The registry keeps its schemas in PostgreSQL: they survive a restart of the registry."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

from confluent_kafka.schema_registry import Schema, SchemaRegistryClient

from subshift.config import Settings

SCHEMA = '{"type": "record", "name": "Survivor", "namespace": "dev.subshift.tests", "fields": ' \
         '[{"name": "id", "type": "string"}, {"name": "restarts", "type": "long", "default": 0}]}'


def _stack(*args: str) -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "subshift", "stack", *args], capture_output=True, text=True, timeout=300, check=False
    )
    assert completed.returncode == 0, f"subshift stack {' '.join(args)} failed:\n{completed.stdout}{completed.stderr}"


def test_registered_schema_survives_a_registry_restart(settings: Settings, fresh_topic: Any) -> None:
    subject = f"{fresh_topic()}-value"
    before = SchemaRegistryClient(settings.registry.as_client_conf())
    schema_id = before.register_schema(subject, Schema(SCHEMA, "AVRO"))

    _stack("down", "registry")
    _stack("up")

    after = SchemaRegistryClient(settings.registry.as_client_conf())  # a new client: no cached answers
    assert after.get_latest_version(subject).schema_id == schema_id
    assert "Survivor" in (after.get_schema(schema_id).schema_str or "")
