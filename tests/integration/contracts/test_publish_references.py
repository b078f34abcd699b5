"""`publish` registers referenced types first, then each subject with `references`, on the real registry."""

from __future__ import annotations

import contextlib
import json
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from confluent_kafka.schema_registry import SchemaRegistryClient
from confluent_kafka.schema_registry.error import SchemaRegistryError

from compat_tests.gate_support import GitRepo
from subshift.config import Settings
from subshift.contracts_manifest import load_manifest
from subshift.messaging.registry_admin import publish_subjects
from subshift_contracts.check import CheckOptions, run_check


@pytest.fixture
def namespace(schema_registry: SchemaRegistryClient) -> Iterator[str]:
    """A namespace no one else uses; every subject under it is deleted after the test, dependents first."""
    name = f"com.acme.t{uuid.uuid4().hex[:8]}"
    yield name
    # A referenced subject can only go once nothing refers to it: the order, then Address, then Country.
    token = name.rpartition(".")[2]  # in the types' full names and in the topic's name
    subjects = sorted((s for s in schema_registry.get_subjects() if token in s),
                      key=lambda s: (not s.startswith("t-"), s.endswith(".Country")))
    for subject in subjects:
        for permanent in (False, True):
            with contextlib.suppress(SchemaRegistryError):  # already gone
                schema_registry.delete_subject(subject, permanent=permanent)


def _write(root: Path, namespace: str) -> None:
    (root / "avro" / "common").mkdir(parents=True)
    country = {"type": "enum", "name": "Country", "namespace": namespace, "symbols": ["DE", "FR"]}
    address = {"type": "record", "name": "Address", "namespace": namespace,
               "fields": [{"name": "street", "type": "string"}, {"name": "country", "type": f"{namespace}.Country"}]}
    order = {"type": "record", "name": "Order", "namespace": namespace,
             "fields": [{"name": "id", "type": "string"}, {"name": "shipping", "type": "Address"}]}
    for name, schema in (("common/country", country), ("common/address", address), ("order", order)):
        (root / "avro" / f"{name}.avsc").write_text(json.dumps(schema), encoding="utf-8")
    topic = f"t-{namespace.rpartition('.')[2]}-orders"
    (root / "subjects.yaml").write_text(f"""\
version: 1
topics:
  - name: {topic}
    value:
      format: avro
      schema: avro/order.avsc
      references: [avro/common/country.avsc, avro/common/address.avsc]
      compatibility: FULL
""", encoding="utf-8")


def test_references_are_registered_in_order_and_named_by_the_subject(
    tmp_path: Path, namespace: str, schema_registry: SchemaRegistryClient
) -> None:
    _write(tmp_path, namespace)
    manifest = load_manifest(tmp_path)
    (subject,) = manifest.subjects

    dry = publish_subjects(manifest, schema_registry, dry_run=True)
    outcomes = publish_subjects(manifest, schema_registry, dry_run=False)
    again = publish_subjects(manifest, schema_registry, dry_run=False)

    assert [(o.subject, o.action) for o in dry] == [
        (f"{namespace}.Country", "would register"), (f"{namespace}.Address", "would register"),
        (subject.name, "would register")]
    assert [(o.subject, o.action) for o in outcomes] == [
        (f"{namespace}.Country", "registered"), (f"{namespace}.Address", "registered"), (subject.name, "registered")]
    assert [o.action for o in again] == ["unchanged"] * 3
    latest = schema_registry.get_latest_version(subject.name)
    assert [(r.name, r.subject, r.version) for r in latest.schema.references] == [
        (f"{namespace}.Country", f"{namespace}.Country", 1), (f"{namespace}.Address", f"{namespace}.Address", 1)]
    address = schema_registry.get_latest_version(f"{namespace}.Address")
    assert [r.name for r in address.schema.references] == [f"{namespace}.Country"]
    assert schema_registry.get_compatibility(subject.name) == "FULL"


def test_the_gate_checks_a_subject_with_references_against_the_registry(
    tmp_path: Path, namespace: str, schema_registry: SchemaRegistryClient, settings: Settings
) -> None:
    repo = GitRepo(tmp_path / "acme")
    _write(repo.root, namespace)
    repo.commit("first contracts")
    publish_subjects(load_manifest(repo.root), schema_registry, dry_run=False)
    unchanged = run_check(load_manifest(repo.root), CheckOptions(repo=repo.root, registry_url=settings.registry.url))
    address = repo.read_json("avro/common/address.avsc")
    address["fields"].append({"name": "zip", "type": "string"})
    repo.write_json("avro/common/address.avsc", address)

    broken = run_check(load_manifest(repo.root), CheckOptions(repo=repo.root, registry_url=settings.registry.url))

    assert unchanged.passed, unchanged.findings
    assert any("checked against 1 version(s) registered" in note for note in unchanged.notes)
    # One commit, so no earlier version in git: the break is found against the version registered with
    # its references, which the gate resolves from the registry's referenced subjects.
    (finding,) = broken.findings
    assert (finding.rule, finding.path) == ("READER_FIELD_MISSING_DEFAULT_VALUE", "$.shipping.zip")
    assert "registry version 1" in finding.message
