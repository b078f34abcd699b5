"""Every gate command finds the repository it stands in, and says where it looked when there is no manifest."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from compat_tests.gate_support import GitRepo
from subshift_contracts_core.errors import ContractError
from subshift_contracts_core.repository import find_manifest, find_repository, open_manifest

_SUBSHIFT = str(Path(sys.executable).parent / "subshift")


def test_the_repository_is_the_git_top_level_of_a_subfolder(tmp_path: Path) -> None:
    repo = GitRepo.with_contracts(tmp_path / "team")
    assert find_repository(cwd=repo.root / "contracts" / "avro") == repo.root.resolve()


def test_repo_option_wins_over_the_current_directory(tmp_path: Path) -> None:
    repo = GitRepo.with_contracts(tmp_path / "team")
    root, manifest = open_manifest(repo.root)
    assert root == repo.root.resolve()
    assert manifest.root == (repo.root / "contracts").resolve()


def test_a_folder_outside_git_is_a_contract_error_naming_it(tmp_path: Path) -> None:
    with pytest.raises(ContractError, match=f"{tmp_path} is not inside a git repository"):
        find_repository(cwd=tmp_path)


def test_a_manifest_at_the_top_level_is_found(tmp_path: Path) -> None:
    repo = GitRepo(tmp_path / "team")
    repo.write("subjects.yaml", "version: 1\ntopics: []\n")
    assert find_manifest(repo.root) == (repo.root / "subjects.yaml").resolve()


def test_a_missing_manifest_names_each_place_looked(tmp_path: Path) -> None:
    repo = GitRepo(tmp_path / "team")
    with pytest.raises(ContractError) as raised:
        find_manifest(repo.root)
    assert f"{repo.root / 'contracts' / 'subjects.yaml'} or {repo.root / 'subjects.yaml'}" in str(raised.value)


@pytest.mark.parametrize("command", [
    ["contracts", "check"], ["contracts", "generate", "--check"], ["contracts", "publish", "--dry-run"],
    ["contracts", "fixtures", "v9"], ["topics", "ensure", "--repo", "."],
], ids=" ".join)
def test_a_repository_without_a_manifest_exits_2_with_one_sentence(tmp_path: Path, command: list[str]) -> None:
    repo = GitRepo(tmp_path / "team")
    done = subprocess.run([_SUBSHIFT, *command], cwd=repo.root, capture_output=True, text=True, timeout=120,
                          check=False)
    assert done.returncode == 2, done.stderr
    assert done.stderr.strip().splitlines() == [
        f"error: no contract manifest found: looked for {repo.root.resolve() / 'contracts' / 'subjects.yaml'} or "
        f"{repo.root.resolve() / 'subjects.yaml'} (pass --repo or --manifest)"
    ]
    assert not (repo.root / "compat_tests").exists()


def test_the_standalone_command_outside_git_exits_2(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "subshift_contracts", "check"], cwd=tmp_path, capture_output=True,
                          text=True, timeout=120, check=False)
    assert done.returncode == 2
    assert done.stderr.strip() == (f"error: {tmp_path.resolve()} is not inside a git repository; run the command "
                                   "in your repository or pass --repo")
