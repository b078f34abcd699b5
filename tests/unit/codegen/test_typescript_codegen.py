"""`subshift contracts generate` also builds clients/typescript/src/gen/, and `--check` names its stale files."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from subshift.cli.main import app
from subshift.errors import ContractError
from subshift_tooling.codegen import CodegenPaths, generate, stale_files
from subshift_tooling.codegen.typescript import TypeScriptPaths, build_typescript

REPO = Path(__file__).resolve().parents[3]
_PACKAGE = REPO / "clients" / "typescript"


@pytest.fixture
def with_typescript(repo_copy: CodegenPaths) -> TypeScriptPaths:
    """The repository copy plus the TypeScript package's manifest and (linked) installed node_modules."""
    root = repo_copy.contracts.parent
    shutil.copy(REPO / "codegen" / "buf.gen.typescript.yaml", root / "codegen" / "buf.gen.typescript.yaml")
    package = root / "clients" / "typescript"
    package.mkdir(parents=True)
    shutil.copy(_PACKAGE / "package.json", package / "package.json")
    (package / "node_modules").symlink_to(_PACKAGE / "node_modules", target_is_directory=True)
    return TypeScriptPaths(root=root)


def _codegen(ts: TypeScriptPaths) -> CodegenPaths:
    return CodegenPaths.for_repo(ts.root)


def test_the_committed_typescript_client_is_current() -> None:
    assert stale_files(CodegenPaths.for_repo(REPO)) == []


def test_a_fresh_typescript_client_has_no_stale_files(with_typescript: TypeScriptPaths) -> None:
    generate(_codegen(with_typescript))
    assert (with_typescript.output / "subshift" / "migration" / "v1" / "migration_service_pb.ts").is_file()
    assert stale_files(_codegen(with_typescript)) == []


def test_every_generated_typescript_file_says_it_is_generated(with_typescript: TypeScriptPaths) -> None:
    files = build_typescript(with_typescript)
    assert {str(p) for p in files} >= {"topics.ts", "avro/user_offer_migration_requested.ts",
                                       "google/rpc/error_details_pb.ts", "subshift/migration/v1/migration_pb.ts"}
    assert all(text.startswith("// Generated, do not edit; run `subshift contracts generate`.") for text in
               files.values())


def test_the_same_contracts_give_byte_identical_typescript(with_typescript: TypeScriptPaths) -> None:
    assert build_typescript(with_typescript) == build_typescript(with_typescript)


def test_a_changed_avro_schema_makes_the_typescript_record_stale(with_typescript: TypeScriptPaths) -> None:
    generate(_codegen(with_typescript))
    schema_path = with_typescript.root / "contracts" / "avro" / "user_offer_migration_requested.avsc"
    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    schema["fields"].append({"name": "channel", "type": ["null", "string"], "default": None, "doc": "Where from."})
    schema_path.write_text(json.dumps(schema), encoding="utf-8")
    stale = [line for line in stale_files(_codegen(with_typescript)) if "typescript" in line]
    assert stale == [f"{with_typescript.output}/avro/user_offer_migration_requested.ts: differs from the contracts"]


def test_a_hand_edit_a_missing_and_an_extra_typescript_file_are_each_named(with_typescript: TypeScriptPaths) -> None:
    generate(_codegen(with_typescript))
    out = with_typescript.output
    (out / "topics.ts").write_text("// edited by hand\n", encoding="utf-8")
    (out / "subshift" / "migration" / "v1" / "access_pb.ts").unlink()
    (out / "notes.ts").write_text("", encoding="utf-8")
    assert stale_files(_codegen(with_typescript)) == [
        f"{out}/notes.ts: not generated from the contracts (remove it)",
        f"{out}/subshift/migration/v1/access_pb.ts: missing",
        f"{out}/topics.ts: differs from the contracts",
    ]


def test_check_command_exits_1_naming_the_stale_typescript_file(with_typescript: TypeScriptPaths) -> None:
    generate(_codegen(with_typescript))
    (with_typescript.output / "topics.ts").write_text("// edited by hand\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["contracts", "generate", "--check", "--repo", str(with_typescript.root)])
    assert result.exit_code == 1
    assert "clients/typescript/src/gen/topics.ts: differs from the contracts" in result.output


def test_an_npm_version_other_than_the_pin_is_refused(with_typescript: TypeScriptPaths) -> None:
    pins = with_typescript.root / "codegen" / "versions.toml"
    pins.write_text(pins.read_text(encoding="utf-8").replace('avsc = "5.7.9"', 'avsc = "5.7.0"'), encoding="utf-8")
    with pytest.raises(ContractError, match=r"avsc 5\.7\.9 \(pinned 5\.7\.0\).*npm ci"):
        build_typescript(with_typescript)


def test_a_repository_without_a_typescript_package_builds_none(repo_copy: CodegenPaths) -> None:
    assert build_typescript(TypeScriptPaths(root=repo_copy.contracts.parent)) == {}
