"""Codegen resolves Avro references: a type from another file becomes a nested record of the event's module."""

from __future__ import annotations

import json

import yaml

from subshift_tooling.codegen import CodegenPaths, generate

_AVSC = "avro/user_offer_migration_requested.avsc"


def test_a_referenced_record_is_generated_as_a_nested_class(repo_copy: CodegenPaths) -> None:
    contracts = repo_copy.contracts
    origin = {"type": "record", "name": "Origin", "namespace": "io.subshift.migration.v1",
              "fields": [{"name": "system", "type": "string"}]}
    (contracts / "avro" / "common").mkdir()
    (contracts / "avro" / "common" / "origin.avsc").write_text(json.dumps(origin), encoding="utf-8")
    schema = json.loads((contracts / _AVSC).read_text(encoding="utf-8"))
    schema["fields"].append({"name": "origin", "type": ["null", "Origin"], "default": None})
    (contracts / _AVSC).write_text(json.dumps(schema), encoding="utf-8")
    manifest = yaml.safe_load((contracts / "subjects.yaml").read_text(encoding="utf-8"))
    manifest["topics"][0]["value"]["references"] = ["avro/common/origin.avsc"]
    (contracts / "subjects.yaml").write_text(yaml.safe_dump(manifest, sort_keys=False), encoding="utf-8")

    generate(repo_copy)

    module = (repo_copy.output / "records" / "user_offer_migration_requested.py").read_text(encoding="utf-8")
    assert "class Origin:" in module
    assert "origin: Origin | None = None" in module
