"""`subshift contracts release N`: golden fixtures committed, `contracts-vN` tagged, later checks measured by it."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from compat_tests.gate_support import GitRepo
from subshift.cli.main import app
from subshift_contracts.history import default_baseline
from subshift_contracts_core.errors import ContractError

_AVRO = "contracts/avro/user_offer_migration_requested.avsc"


def _released(tmp_path: Path) -> GitRepo:
    repo = GitRepo.with_contracts(tmp_path / "checkout")
    repo.git("config", "user.name", "Release Test")
    repo.git("config", "user.email", "release@example.invalid")
    result = CliRunner().invoke(app, ["contracts", "release", "1", "--repo", str(repo.root)])
    assert result.exit_code == 0, result.output
    return repo


def test_release_commits_the_fixtures_and_tags_that_commit(tmp_path: Path) -> None:
    repo = _released(tmp_path)
    assert repo.git("describe", "--exact-match", "HEAD").strip() == "contracts-v1"
    assert "compat_tests/fixtures/v1/index.json" in repo.git("show", "--name-only", "contracts-v1").splitlines()
    assert repo.git("status", "--porcelain").strip() == ""


def test_the_gate_measures_against_the_newest_release_tag(tmp_path: Path) -> None:
    repo = _released(tmp_path)
    repo.commit("work after the release")
    assert default_baseline(repo.root) == "contracts-v1"


def test_a_release_is_never_moved(tmp_path: Path) -> None:
    repo = _released(tmp_path)
    result = CliRunner().invoke(app, ["contracts", "release", "v1", "--repo", str(repo.root)])
    assert isinstance(result.exception, ContractError)
    assert "tag contracts-v1 exists already" in str(result.exception)


def test_a_release_refuses_uncommitted_changes(tmp_path: Path) -> None:
    repo = GitRepo.with_contracts(tmp_path / "checkout")
    repo.write(_AVRO, (repo.root / _AVRO).read_text(encoding="utf-8") + "\n")
    result = CliRunner().invoke(app, ["contracts", "release", "1", "--repo", str(repo.root)])
    assert isinstance(result.exception, ContractError)
    assert "uncommitted changes" in str(result.exception)


def test_a_release_refuses_when_the_gate_finds_a_break(tmp_path: Path) -> None:
    repo = GitRepo.with_contracts(tmp_path / "checkout")
    schema = repo.read_json(_AVRO)
    schema["fields"].append({"name": "x", "type": "string"})
    repo.write_json(_AVRO, schema)
    repo.commit("a break")

    result = CliRunner().invoke(app, ["contracts", "release", "1", "--repo", str(repo.root)])

    assert result.exit_code == 1
    assert "release refused" in result.output
    assert repo.git("tag", "--list").strip() == ""


@pytest.mark.parametrize("version", ["1.2", "one", "x1"])
def test_a_release_number_is_a_whole_number(version: str, tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["contracts", "release", version, "--repo", str(tmp_path)])
    assert isinstance(result.exception, ContractError)
