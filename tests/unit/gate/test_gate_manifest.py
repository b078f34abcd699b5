"""The manifest: subjects by strategy, a mode per subject, schemas anywhere, and errors that name the line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from subshift_contracts_core.errors import ContractError
from subshift_contracts_core.manifest import load_manifest

_RECORD = {"type": "record", "name": "Payment", "namespace": "com.acme", "fields": [{"name": "id", "type": "string"}]}


def _repo(tmp_path: Path, manifest: str) -> Path:
    (tmp_path / "subjects.yaml").write_text(manifest, encoding="utf-8")
    schemas = tmp_path / "far" / "away"
    schemas.mkdir(parents=True)
    (schemas / "payment.avsc").write_text(json.dumps(_RECORD), encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize(("strategy", "subject"), [
    ("TopicName", "payments-value"),
    ("RecordName", "com.acme.Payment"),
    ("RecordNameStrategy", "com.acme.Payment"),
    ("TopicRecordName", "payments-com.acme.Payment"),
])
def test_each_strategy_names_the_subject_as_confluents_serializers_do(tmp_path: Path, strategy: str,
                                                                      subject: str) -> None:
    root = _repo(tmp_path, f"""\
version: 1
topics:
  - name: payments
    value: {{format: avro, schema: far/away/payment.avsc, strategy: {strategy}}}
""")
    (spec,) = load_manifest(root).subjects
    assert (spec.name, spec.role, spec.schema_path) == (subject, "value", root / "far/away/payment.avsc")


def test_key_and_value_subjects_each_have_their_own_mode(tmp_path: Path) -> None:
    root = _repo(tmp_path, """\
version: 1
default_compatibility: FORWARD
topics:
  - name: payments
    key: {format: avro, schema: far/away/payment.avsc, compatibility: FULL_TRANSITIVE}
    value: {format: avro, schema: far/away/payment.avsc, strategy: RecordName}
""")
    assert [(s.name, s.mode) for s in load_manifest(root).subjects] == [
        ("payments-key", "FULL_TRANSITIVE"), ("com.acme.Payment", "FORWARD")]


def test_a_stated_subject_must_match_its_strategy(tmp_path: Path) -> None:
    root = _repo(tmp_path, """\
version: 1
topics:
  - name: payments
    value: {format: avro, schema: far/away/payment.avsc, strategy: RecordName, subject: payments-value}
""")
    manifest = load_manifest(root)
    with pytest.raises(ContractError, match=r"subject 'payments-value' differs from 'com\.acme\.Payment'"):
        _ = manifest.subjects


@pytest.mark.parametrize(("manifest", "line", "where"), [
    ("version: 1\ntopics:\n  - name: a\n    value:\n      format: avro\n      shema: x.avsc\n", 6,
     "topics.0.value.shema: Extra inputs are not permitted"),
    ("version: 1\ntopics:\n  - name: a\n    value: {format: bytes}\n  - name: b\n    partitions: 0\n"
     "    value: {format: bytes}\n", 6, "topics.1.partitions: Input should be greater than or equal to 1"),
    ("version: 1\ntopics:\n  - name: a\n    value:\n      format: avro\n", 3,
     "topics.0: topic 'a': an avro value needs a schema file"),
    ("version: 1\ntopics:\n  - name: a\n    value:\n      format: avro\n      schema: x.avsc\n"
     "      compatibility: SIDEWAYS\n", 7, "topics.0.value.compatibility: Input should be"),
])
def test_an_invalid_manifest_names_the_line(tmp_path: Path, manifest: str, line: int, where: str) -> None:
    (tmp_path / "subjects.yaml").write_text(manifest, encoding="utf-8")
    with pytest.raises(ContractError) as raised:
        load_manifest(tmp_path)
    assert f"{tmp_path / 'subjects.yaml'}:{line}: {where}" in str(raised.value)


def test_a_referenced_file_listed_but_unused_is_an_error(tmp_path: Path) -> None:
    from subshift_contracts_core.references import inline_references

    with pytest.raises(ContractError, match=r"references com\.acme\.Payment but never uses them"):
        inline_references({"type": "record", "name": "Order", "fields": []}, [_RECORD], source="order.avsc")


def test_a_referenced_type_is_defined_at_its_first_use_and_named_after(tmp_path: Path) -> None:
    from subshift_contracts_core.references import inline_references

    order = {"type": "record", "name": "Order", "namespace": "com.acme",
             "fields": [{"name": "first", "type": "Payment"}, {"name": "second", "type": ["null", "com.acme.Payment"]}]}
    resolved = inline_references(order, [_RECORD], source="order.avsc")
    assert resolved["fields"][0]["type"] == _RECORD
    assert resolved["fields"][1]["type"] == ["null", "com.acme.Payment"]
