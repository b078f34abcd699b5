"""``subshift contracts publish`` and ``subshift topics ensure`` against the real registry and Kafka."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
from confluent_kafka.admin import AdminClient
from confluent_kafka.admin._config import ConfigResource
from confluent_kafka.schema_registry import SchemaRegistryClient
from typer.testing import CliRunner

from subshift.cli.main import app
from subshift.config import Settings
from subshift.contracts_manifest import Manifest, load_manifest
from subshift.messaging.publish import publish
from subshift.messaging.topics_admin import ensure_topics, specs_from_manifest


def avro_subject(manifest: Manifest) -> str:
    subject = manifest.avro_topics[0].value.subject
    assert subject is not None
    return subject


def test_publishing_twice_registers_once_and_keeps_the_same_id(
    temp_contracts: Path, schema_registry: SchemaRegistryClient, kafka_admin: AdminClient
) -> None:
    manifest = load_manifest(temp_contracts)
    first = publish(manifest, schema_registry, kafka_admin, dry_run=False)
    second = publish(manifest, schema_registry, kafka_admin, dry_run=False)
    assert [s.action for s in first.subjects] == ["registered"]
    assert [s.action for s in second.subjects] == ["unchanged"]
    assert second.subjects[0].schema_id == first.subjects[0].schema_id
    assert len(schema_registry.get_versions(avro_subject(manifest))) == 1
    assert [t.action for t in second.topics] == ["exists"] * len(manifest.topics)


def test_publish_sets_the_subject_mode_from_the_manifest(
    temp_contracts: Path, schema_registry: SchemaRegistryClient, settings: Settings
) -> None:
    manifest = load_manifest(temp_contracts)
    report = publish(manifest, schema_registry, None, dry_run=False)
    assert report.ok
    subject = avro_subject(manifest)
    config = httpx.get(f"{settings.registry.url}/config/{subject}", timeout=10).json()
    assert config["compatibilityLevel"] == manifest.compatibility(manifest.avro_topics[0])


def test_a_dry_run_changes_nothing(temp_contracts: Path, schema_registry: SchemaRegistryClient,
                                   kafka_admin: AdminClient) -> None:
    manifest = load_manifest(temp_contracts)
    report = publish(manifest, schema_registry, kafka_admin, dry_run=True)
    assert [s.action for s in report.subjects] == ["would register"]
    assert {t.action for t in report.topics} == {"would create"}
    assert avro_subject(manifest) not in schema_registry.get_subjects()
    assert not set(kafka_admin.list_topics(timeout=15).topics) & {t.name for t in manifest.topics}


def test_publish_refuses_an_incompatible_schema_and_exits_1(
    temp_contracts: Path, schema_registry: SchemaRegistryClient
) -> None:
    manifest = load_manifest(temp_contracts)
    assert publish(manifest, schema_registry, None, dry_run=False).ok
    schema_path = manifest.schema_path(manifest.avro_topics[0])
    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    schema["fields"].append({"name": "channel", "type": "string", "doc": "Added without a default."})
    schema_path.write_text(json.dumps(schema), encoding="utf-8")

    result = CliRunner().invoke(app, ["contracts", "publish", "--no-topics", "--repo", str(temp_contracts.parent),
                                      "--manifest", str(temp_contracts / "subjects.yaml")])

    assert result.exit_code == 1, result.output
    assert f"subject {avro_subject(manifest)}, mode BACKWARD_TRANSITIVE: REFUSED" in result.output
    assert "409" in result.output
    assert len(schema_registry.get_versions(avro_subject(manifest))) == 1


def test_topics_ensure_creates_the_manifest_topics_with_their_partitions_and_retention(
    temp_contracts: Path, kafka_admin: AdminClient
) -> None:
    specs = specs_from_manifest(load_manifest(temp_contracts))
    outcomes = ensure_topics(kafka_admin, specs, dry_run=False)
    assert [o.action for o in outcomes] == ["created"] * len(specs)
    cluster = kafka_admin.list_topics(timeout=15).topics
    assert {s.name: len(cluster[s.name].partitions) for s in specs} == {s.name: s.partitions for s in specs}
    configs = kafka_admin.describe_configs([ConfigResource(ConfigResource.Type.TOPIC, s.name) for s in specs])
    retention = {resource.name: future.result(timeout=15)["retention.ms"].value for resource, future in configs.items()}
    assert retention == {s.name: str(s.retention_ms) for s in specs}
    again = ensure_topics(kafka_admin, specs, dry_run=False)
    assert [o.action for o in again] == ["exists"] * len(specs)
