"""``subshift contracts generate --check`` names every stale file and writes nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from subshift.cli.main import app
from subshift.errors import ContractError
from subshift_tooling.codegen import CodegenPaths, generate, stale_files


def _repo_root(paths: CodegenPaths) -> Path:
    return paths.contracts.parent


def test_fresh_output_has_no_stale_files(repo_copy: CodegenPaths) -> None:
    generate(repo_copy)
    assert stale_files(repo_copy) == []


def test_a_changed_avro_schema_makes_the_record_module_stale(repo_copy: CodegenPaths) -> None:
    generate(repo_copy)
    schema_path = repo_copy.contracts / "avro" / "user_offer_migration_requested.avsc"
    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    schema["fields"].append({"name": "channel", "type": ["null", "string"], "default": None, "doc": "Where from."})
    schema_path.write_text(json.dumps(schema), encoding="utf-8")
    stale = stale_files(repo_copy)
    go = repo_copy.contracts.parent / "clients" / "go" / "gen" / "events"
    assert stale == [f"{repo_copy.output}/records/user_offer_migration_requested.py: differs from the contracts",
                     f"{go}/schemas.go: differs from the contracts",
                     f"{go}/user_offer_migration_requested.go: differs from the contracts"]


def test_a_hand_edit_a_missing_file_and_an_extra_file_are_each_named(repo_copy: CodegenPaths) -> None:
    generate(repo_copy)
    (repo_copy.output / "topics.py").write_text("# edited by hand\n", encoding="utf-8")
    (repo_copy.output / "clients.py").unlink()
    (repo_copy.output / "notes.py").write_text("", encoding="utf-8")
    assert stale_files(repo_copy) == [
        f"{repo_copy.output}/clients.py: missing",
        f"{repo_copy.output}/notes.py: not generated from the contracts (remove it)",
        f"{repo_copy.output}/topics.py: differs from the contracts",
    ]


def test_check_command_exits_1_and_names_the_stale_file(repo_copy: CodegenPaths) -> None:
    generate(repo_copy)
    (repo_copy.output / "topics.py").write_text("# edited by hand\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["contracts", "generate", "--check", "--repo", str(_repo_root(repo_copy))])
    assert result.exit_code == 1
    assert "topics.py: differs from the contracts" in result.output
    assert (repo_copy.output / "topics.py").read_text(encoding="utf-8") == "# edited by hand\n"


def test_check_command_exits_0_when_current(repo_copy: CodegenPaths) -> None:
    result = CliRunner().invoke(app, ["contracts", "generate", "--repo", str(_repo_root(repo_copy))])
    assert result.exit_code == 0, result.output
    result = CliRunner().invoke(app, ["contracts", "generate", "--check", "--repo", str(_repo_root(repo_copy))])
    assert result.exit_code == 0, result.output


def test_a_generator_version_other_than_the_pin_is_refused(repo_copy: CodegenPaths) -> None:
    repo_copy.pins.write_text('[generators]\nmypy-protobuf = "0.0.1"\n', encoding="utf-8")
    with pytest.raises(ContractError, match=r"mypy-protobuf 3\.6\.0 \(pinned 0\.0\.1\)"):
        generate(repo_copy)


def test_a_proto_syntax_error_is_reported_with_protoc_s_message(repo_copy: CodegenPaths) -> None:
    proto = repo_copy.contracts / "proto" / "subshift" / "migration" / "v1" / "migration.proto"
    proto.write_text(proto.read_text(encoding="utf-8").replace("message Migration {", "message Migration {{"),
                     encoding="utf-8")
    with pytest.raises(ContractError, match=r"protoc rejected the contracts:\n.*migration\.proto:\d+:\d+"):
        generate(repo_copy)
    assert not repo_copy.output.exists()
