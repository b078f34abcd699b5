"""Earlier versions of a contract file, read from git history.

The gate compares each Avro subject's schema with every version committed before the
baseline (the newest ``contracts-v*`` release tag, else HEAD's first parent). A shallow clone
is deepened first; if that cannot be done the error says what is missing and how to get it.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from subshift_contracts_core.errors import ContractError

__all__ = [
    "FileVersion",
    "SetVersion",
    "default_baseline",
    "ensure_full_history",
    "file_versions",
    "git",
    "resolve_ref",
    "set_versions",
]

RELEASE_TAGS = "contracts-v*"


@dataclass(frozen=True)
class FileVersion:
    """A file as one commit left it."""

    commit: str
    path: str
    text: str

    @property
    def origin(self) -> str:
        return f"commit {self.commit[:8]}"


def git(repo: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    """Run ``git -C repo args…`` and capture its output.

    Raises:
        ContractError: ``check`` is set and git failed (the message carries git's own words).
    """
    try:
        done = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True, check=False)
    except FileNotFoundError:
        raise ContractError("git is not installed; the gate reads earlier contract versions from git") from None
    if check and done.returncode != 0:
        raise ContractError(f"git {' '.join(args)} failed: {done.stderr.strip() or done.stdout.strip()}")
    return done


def ensure_full_history(repo: Path) -> str | None:
    """Deepen a shallow clone so every earlier version is visible; returns a note when it did.

    Raises:
        ContractError: the clone is shallow and cannot be deepened (e.g. no remote reachable).
    """
    if git(repo, "rev-parse", "--is-shallow-repository").stdout.strip() != "true":
        return None
    fetched = git(repo, "fetch", "--quiet", "--unshallow", "--tags", check=False)
    if fetched.returncode != 0:
        raise ContractError(
            "this clone is shallow, so earlier contract versions are missing from its history, and "
            f"`git fetch --unshallow --tags` failed ({' '.join(fetched.stderr.split())}); fetch the full history "
            "(in CI: a checkout with fetch-depth 0) and run the gate again"
        )
    return "the clone was shallow: fetched the full history and tags"


def resolve_ref(repo: Path, ref: str) -> str:
    """The commit ``ref`` names.

    Raises:
        ContractError: the ref does not exist here (a tag not fetched, a typo).
    """
    done = git(repo, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}", check=False)
    if done.returncode != 0:
        raise ContractError(f"git ref {ref!r} does not exist in {repo}; fetch it (`git fetch --tags`) or name another")
    return done.stdout.strip()


def default_baseline(repo: Path) -> str | None:
    """The newest ``contracts-v*`` tag reachable from HEAD, else HEAD's first parent, else None (first commit)."""
    tags = git(repo, "tag", "--list", RELEASE_TAGS, "--merged", "HEAD", "--sort=-v:refname").stdout.split()
    if tags:
        return tags[0]
    parent = git(repo, "rev-parse", "--verify", "--quiet", "HEAD^1^{commit}", check=False)
    return (parent.stdout.strip() or None) if parent.returncode == 0 else None


def file_versions(repo: Path, path: str, ref: str) -> list[FileVersion]:
    """Each distinct version of ``path`` committed up to ``ref``, oldest first, following renames.

    ``path`` is relative to the repository root. Versions that differ only in layout (same
    JSON) count once, as the registry would see one schema. An empty list means the file is new.
    """
    log = git(repo, "log", "--follow", "--format=%x00%H", "--name-only", ref, "--", path).stdout
    versions: list[FileVersion] = []
    for entry in reversed(log.split("\x00")[1:]):
        lines = [line for line in entry.splitlines() if line.strip()]
        if len(lines) < 2:
            continue
        commit, at_path = lines[0], lines[-1]
        shown = git(repo, "show", f"{commit}:{at_path}", check=False)
        if shown.returncode != 0:
            continue  # the commit deleted the file
        if versions and _same(versions[-1].text, shown.stdout):
            continue
        versions.append(FileVersion(commit=commit, path=at_path, text=shown.stdout))
    return versions


@dataclass(frozen=True)
class SetVersion:
    """Several files as one commit left them (``None``: the file did not exist there)."""

    commit: str
    texts: tuple[str | None, ...]

    @property
    def origin(self) -> str:
        return f"commit {self.commit[:8]}"


def set_versions(repo: Path, paths: Sequence[str], ref: str) -> list[SetVersion]:
    """The files ``paths`` at each commit up to ``ref`` that changed any of them and has the first, oldest first.

    A schema and the files it references change together or apart; each commit that touched one
    of them is a version of the whole (renames are not followed here).
    """
    commits = git(repo, "log", "--format=%H", ref, "--", *paths).stdout.split()
    versions: list[SetVersion] = []
    for commit in reversed(commits):
        shown = [git(repo, "show", f"{commit}:{path}", check=False) for path in paths]
        texts = tuple(done.stdout if done.returncode == 0 else None for done in shown)
        if texts[0] is not None:
            versions.append(SetVersion(commit=commit, texts=texts))
    return versions


def _same(one: str, other: str) -> bool:
    try:
        return bool(json.loads(one) == json.loads(other))
    except json.JSONDecodeError:
        return one == other
