"""Earlier versions from git: order, renames, identical layouts, baselines, shallow clones."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from compat_tests.gate_support import GitRepo
from subshift.errors import ContractError
from subshift_contracts.history import default_baseline, ensure_full_history, file_versions, resolve_ref

FILE = "contracts/avro/event.avsc"


def schema(*fields: str) -> str:
    body = ", ".join(f'{{"name": "{f}", "type": "string"}}' for f in fields)
    return f'{{"type": "record", "name": "E", "fields": [{body}]}}\n'


@pytest.fixture
def repo(tmp_path: Path) -> GitRepo:
    repo = GitRepo(tmp_path / "repo")
    repo.write(FILE, schema("a"))
    repo.commit("v1")
    repo.write(FILE, schema("a").replace(", ", ",\n  "))  # layout only: not a new version
    repo.commit("reformat")
    repo.write(FILE, schema("a", "b"))
    repo.commit("v2")
    return repo


def test_versions_come_oldest_first_and_layout_changes_do_not_count(repo: GitRepo) -> None:
    versions = file_versions(repo.root, FILE, "HEAD")
    assert [v.text for v in versions] == [schema("a"), schema("a", "b")]
    assert versions[0].origin.startswith("commit ")


def test_history_follows_a_renamed_file(repo: GitRepo) -> None:
    repo.git("mv", FILE, "contracts/avro/renamed.avsc")
    repo.commit("rename")
    assert len(file_versions(repo.root, "contracts/avro/renamed.avsc", "HEAD")) == 2


def test_a_new_file_has_no_earlier_versions(repo: GitRepo) -> None:
    assert file_versions(repo.root, "contracts/avro/new.avsc", "HEAD") == []


def test_the_baseline_is_the_newest_release_tag_else_the_first_parent(repo: GitRepo) -> None:
    assert default_baseline(repo.root) == resolve_ref(repo.root, "HEAD^1")
    repo.git("tag", "contracts-v1.2.0", "HEAD~2")
    repo.git("tag", "contracts-v1.10.0", "HEAD~1")
    assert default_baseline(repo.root) == "contracts-v1.10.0"


def test_the_first_commit_has_no_baseline(tmp_path: Path) -> None:
    repo = GitRepo(tmp_path)
    repo.write(FILE, schema("a"))
    repo.commit("first")
    assert default_baseline(tmp_path) is None


def test_an_unknown_ref_is_a_contract_error_that_says_how_to_fetch(repo: GitRepo) -> None:
    with pytest.raises(ContractError, match=r"does not exist.*git fetch --tags"):
        resolve_ref(repo.root, "contracts-v9")


def _shallow_clone(source: Path, target: Path) -> Path:
    subprocess.run(["git", "clone", "--quiet", "--depth", "1", f"file://{source}", str(target)], check=True)
    return target


def test_a_shallow_clone_is_deepened_from_its_remote(repo: GitRepo, tmp_path: Path) -> None:
    clone = _shallow_clone(repo.root, tmp_path / "clone")
    assert file_versions(clone, FILE, "HEAD") == file_versions(clone, FILE, "HEAD")[-1:]
    assert ensure_full_history(clone) is not None
    assert len(file_versions(clone, FILE, "HEAD")) == 2


def test_a_shallow_clone_without_a_reachable_remote_says_what_is_missing(repo: GitRepo, tmp_path: Path) -> None:
    clone = _shallow_clone(repo.root, tmp_path / "clone")
    subprocess.run(["git", "-C", str(clone), "remote", "set-url", "origin", str(tmp_path / "gone")], check=True)
    with pytest.raises(ContractError, match=r"shallow.*earlier contract versions are missing.*fetch-depth 0"):
        ensure_full_history(clone)


def test_a_full_clone_needs_nothing(repo: GitRepo) -> None:
    assert ensure_full_history(repo.root) is None
