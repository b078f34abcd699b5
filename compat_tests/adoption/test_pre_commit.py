"""`pre-commit try-repo` of this repository's hook, on another team's repository: a break fails, its absence passes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from compat_tests.adoption.scratch_repo import BREAKS, scratch_repository
from compat_tests.gate_support import REPO_ROOT

_PRE_COMMIT = str(Path(sys.executable).parent / "pre-commit")


def _try_repo(cwd: Path, caches: Path) -> subprocess.CompletedProcess[str]:
    # Caches of its own: the hook's virtualenv and pre-commit's clones never touch the user's.
    env = {**os.environ, "XDG_CACHE_HOME": str(caches / "xdg"), "PRE_COMMIT_HOME": str(caches / "pre-commit")}
    return subprocess.run([_PRE_COMMIT, "try-repo", str(REPO_ROOT), "subshift-contracts", "--all-files"],
                          cwd=cwd, env=env, capture_output=True, text=True, timeout=600, check=False)


def test_the_hook_passes_without_a_break_and_fails_on_one(tmp_path: Path) -> None:
    repo = scratch_repository(tmp_path / "acme")

    clean = _try_repo(repo.root, tmp_path / "caches")
    BREAKS[0].seed(repo)
    repo.git("add", "-A")
    broken = _try_repo(repo.root, tmp_path / "caches")

    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert "contract gate (subshift-contracts check)" in clean.stdout
    assert broken.returncode == 1, broken.stdout + broken.stderr
    assert "READER_FIELD_MISSING_DEFAULT_VALUE  $.channel" in broken.stdout
