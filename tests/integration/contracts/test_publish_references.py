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

from subshift.contracts_manifest import load_manifest
from subshift.messaging.registry_admin import publish_subjects


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
