"""Helpers the gate's tests share: a throw-away git repository with a copy of the contracts."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

__all__ = ["REPO_ROOT", "GitRepo"]

REPO_ROOT = Path(__file__).resolve().parents[1]


class GitRepo:
    """A git repository in a temporary folder; commits carry a fixed author so runs are repeatable."""

    def __init__(self, root: Path) -> None:
        self.root = root
        root.mkdir(parents=True, exist_ok=True)
        self.git("init", "--quiet", "--initial-branch=main")

    @classmethod
    def with_contracts(cls, root: Path) -> GitRepo:
        """A repository holding a copy of today's contracts and buf.yaml, committed as the baseline."""
        repo = cls(root)
        shutil.copytree(REPO_ROOT / "contracts", root / "contracts")
        shutil.copy(REPO_ROOT / "buf.yaml", root / "buf.yaml")
        repo.commit("contracts baseline")
        return repo

    def git(self, *args: str) -> str:
        done = subprocess.run(
            ["git", "-C", str(self.root), "-c", "user.name=Gate Test", "-c", "user.email=gate@example.invalid",
             "-c", "commit.gpgsign=false", "-c", "tag.gpgsign=false", *args],
            capture_output=True, text=True, check=True,
        )
        return done.stdout

    def write(self, relative: str, text: str) -> Path:
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return path

    def write_json(self, relative: str, value: Any) -> Path:
        return self.write(relative, json.dumps(value, indent=2) + "\n")

    def read_json(self, relative: str) -> Any:
        return json.loads((self.root / relative).read_text(encoding="utf-8"))

    def commit(self, message: str) -> str:
        self.git("add", "-A")
        self.git("commit", "--quiet", "--allow-empty", "-m", message)
        return self.git("rev-parse", "HEAD").strip()

    def tag(self, name: str) -> None:
        self.git("tag", name)
