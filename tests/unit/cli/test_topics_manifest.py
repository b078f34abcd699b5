"""`subshift topics ensure` takes topics from a repository's manifest, else from the installed client package."""

from __future__ import annotations

from pathlib import Path

import pytest

from compat_tests.gate_support import GitRepo
from subshift.cli.topics import _repository_manifest
from subshift_contracts_core.errors import ContractError


def test_in_a_repository_with_a_manifest_its_topics_are_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = GitRepo.with_contracts(tmp_path / "checkout")
    monkeypatch.chdir(repo.root / "contracts")
    manifest = _repository_manifest(None, None)
    assert manifest is not None
    assert manifest.root == (repo.root / "contracts").resolve()


@pytest.mark.parametrize("inside_git", [False, True], ids=["outside git", "a repository without a manifest"])
def test_elsewhere_the_client_packages_topics_are_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                      inside_git: bool) -> None:
    if inside_git:
        GitRepo(tmp_path)
    monkeypatch.chdir(tmp_path)
    assert _repository_manifest(None, None) is None


def test_a_named_repository_without_a_manifest_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ContractError, match="no contract manifest found"):
        _repository_manifest(tmp_path, None)
