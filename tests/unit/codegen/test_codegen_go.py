"""The Go client's generated part (``clients/go/gen/``) is rebuilt with the Python one and checked the same way."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from subshift.cli.main import app
from subshift.errors import ContractError
from subshift_tooling.codegen import CodegenPaths, generate, stale_files
from subshift_tooling.codegen.golang import go_output_dir, read_go_pins, render_go

REPO = Path(__file__).resolve().parents[3]


def test_generate_writes_go_messages_stubs_avro_structs_and_topic_constants(repo_copy: CodegenPaths) -> None:
    generate(repo_copy)
    gen = go_output_dir(repo_copy.contracts)
    written = sorted(p.relative_to(gen).as_posix() for p in gen.rglob("*.go"))
    assert written == [
        "events/schemas.go",
        "events/user_offer_migration_requested.go",
        "subshift/migration/v1/access.pb.go",
        "subshift/migration/v1/migration.pb.go",
        "subshift/migration/v1/migration_service.pb.go",
        "subshift/migration/v1/migration_service_grpc.pb.go",
        "topics/topics.go",
    ]
    for path in gen.rglob("*.go"):
        assert path.read_text(encoding="utf-8").startswith("// Generated, do not edit; run `subshift contracts")


def test_the_committed_go_client_is_current() -> None:
    paths = CodegenPaths.for_repo(REPO)
    committed = go_output_dir(paths.contracts)
    wanted = render_go(paths.contracts, paths.pins)
    assert {p.relative_to(committed).as_posix(): p.read_text(encoding="utf-8")
            for p in committed.rglob("*") if p.is_file()} == {str(k): v for k, v in wanted.items()}


def test_a_changed_proto_makes_the_go_messages_stale_and_names_them(repo_copy: CodegenPaths) -> None:
    generate(repo_copy)
    proto = repo_copy.contracts / "proto" / "subshift" / "migration" / "v1" / "migration.proto"
    proto.write_text(proto.read_text(encoding="utf-8").replace(
        "  string column = 14;\n", "  string column = 14;\n  // Where from.\n  string channel = 15;\n"),
        encoding="utf-8")
    gen = go_output_dir(repo_copy.contracts)
    assert f"{gen}/subshift/migration/v1/migration.pb.go: differs from the contracts" in stale_files(repo_copy)


def test_a_hand_edited_and_an_extra_go_file_are_each_named(repo_copy: CodegenPaths) -> None:
    generate(repo_copy)
    gen = go_output_dir(repo_copy.contracts)
    (gen / "topics" / "topics.go").write_text("package topics\n", encoding="utf-8")
    (gen / "events" / "extra.go").write_text("package events\n", encoding="utf-8")
    assert stale_files(repo_copy) == [
        f"{gen}/events/extra.go: not generated from the contracts (remove it)",
        f"{gen}/topics/topics.go: differs from the contracts",
    ]


def test_check_command_fails_naming_a_stale_go_file(repo_copy: CodegenPaths) -> None:
    generate(repo_copy)
    (go_output_dir(repo_copy.contracts) / "events" / "schemas.go").unlink()
    result = CliRunner().invoke(app, ["contracts", "generate", "--check", "--repo", str(repo_copy.contracts.parent)])
    assert result.exit_code == 1
    assert "clients/go/gen/events/schemas.go: missing" in result.output


def test_generation_twice_gives_the_same_go_bytes(repo_copy: CodegenPaths) -> None:
    assert render_go(repo_copy.contracts, repo_copy.pins) == render_go(repo_copy.contracts, repo_copy.pins)


def test_a_go_pins_table_without_a_generator_is_refused(tmp_path: Path) -> None:
    pins = tmp_path / "versions.toml"
    pins.write_text('[go]\n"google.golang.org/protobuf/cmd/protoc-gen-go" = "v1.36.12"\n', encoding="utf-8")
    with pytest.raises(ContractError, match=r"does not pin google\.golang\.org/grpc/cmd/protoc-gen-go-grpc"):
        read_go_pins(pins)


def test_a_go_generator_not_built_at_its_pin_is_refused(repo_copy: CodegenPaths) -> None:
    pins = repo_copy.pins.read_text(encoding="utf-8").replace('avrogen" = "v2.31.0"', 'avrogen" = "v0.0.1"')
    repo_copy.pins.write_text(pins, encoding="utf-8")
    with pytest.raises(ContractError, match=r"avrogen@v0\.0\.1; run `scripts/bootstrap`"):
        render_go(repo_copy.contracts, repo_copy.pins)
