"""The repository a gate command works on, and the manifest in it.

Like ``git`` and ``buf``, every command works on the repository of the current directory (its
git top level) unless ``--repo`` names another. Nothing is ever read from where the package is
installed: a check that silently looked at the wrong tree would pass without looking.
"""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import TYPE_CHECKING

from subshift_contracts_core.errors import ContractError

if TYPE_CHECKING:
    from subshift_contracts_core.manifest import Manifest

__all__ = ["MANIFEST_CANDIDATES", "find_manifest", "find_repository", "open_manifest"]

# Where a repository keeps its manifest, in the order they are tried (paths relative to its root).
MANIFEST_CANDIDATES = ("contracts/subjects.yaml", "subjects.yaml")


def find_repository(repo: Path | None = None, *, cwd: Path | None = None) -> Path:
    """The root of the repository to work on: ``repo`` if given, else the git top level of ``cwd``.

    Raises:
        ContractError: ``repo`` is not a directory, or ``cwd`` is not inside a git repository.
    """
    if repo is not None:
        if not repo.is_dir():
            raise ContractError(f"--repo {repo} is not a directory")
        return repo.resolve()
    here = (cwd or Path.cwd()).resolve()
    try:
        done = subprocess.run(["git", "-C", str(here), "rev-parse", "--show-toplevel"],
                              capture_output=True, text=True, check=False)
    except FileNotFoundError:
        raise ContractError("git is not installed; the gate finds the repository and its history with git") from None
    if done.returncode != 0:
        raise ContractError(f"{here} is not inside a git repository; run the command in your repository "
                            "or pass --repo")
    return Path(done.stdout.strip()).resolve()


def find_manifest(repo: Path, manifest: Path | None = None) -> Path:
    """The manifest file of ``repo``: ``manifest`` if given, else the first of ``MANIFEST_CANDIDATES`` there.

    Raises:
        ContractError: no manifest where it was looked for (the message names each place).
    """
    if manifest is not None:
        path = manifest if manifest.is_absolute() else repo / manifest
        if not path.is_file():
            raise ContractError(f"no manifest at {path}")
        return path.resolve()
    for candidate in MANIFEST_CANDIDATES:
        if (repo / candidate).is_file():
            return (repo / candidate).resolve()
    looked = " or ".join(str(repo / candidate) for candidate in MANIFEST_CANDIDATES)
    raise ContractError(f"no contract manifest found: looked for {looked} (pass --repo or --manifest)")


def open_manifest(repo: Path | None = None, manifest: Path | None = None) -> tuple[Path, Manifest]:
    """The repository root and its loaded manifest (see ``find_repository`` and ``find_manifest``).

    Raises:
        ContractError: no repository or manifest where it was looked for, or the manifest is invalid.
    """
    from subshift_contracts_core.manifest import load_manifest

    root = find_repository(repo)
    return root, load_manifest(find_manifest(root, manifest).parent)
