"""A throwaway copy of the repository's contracts and pins, so tests can change them freely."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from subshift_tooling.codegen import CodegenPaths

REPO = Path(__file__).resolve().parents[3]  # this checkout, whatever the venv was installed from


@pytest.fixture
def repo_copy(tmp_path: Path) -> CodegenPaths:
    """``tmp_path`` laid out like the repository: contracts/, codegen/versions.toml, an empty client."""
    shutil.copytree(REPO / "contracts", tmp_path / "contracts")
    (tmp_path / "codegen").mkdir()
    shutil.copy(REPO / "codegen" / "versions.toml", tmp_path / "codegen" / "versions.toml")
    return CodegenPaths.for_repo(tmp_path)
