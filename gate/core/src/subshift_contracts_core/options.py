"""The command-line options that name the repository and the manifest, shared by every ``contracts`` command.

``subshift-contracts check``, ``subshift contracts publish`` and ``subshift topics ensure`` take the
same ``--repo`` and ``--manifest``, so a team learns them once.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

__all__ = ["REPO_ENVVAR", "ManifestOption", "RepoOption"]

# The variable serves an image or a CI job whose contracts sit in a folder that is not a git checkout.
REPO_ENVVAR = "SUBSHIFT_CONTRACTS_REPO"
RepoOption = Annotated[Path | None, typer.Option(
    envvar=REPO_ENVVAR, show_envvar=True,
    help="Repository to work on (default: the git top level of the current directory).")]
ManifestOption = Annotated[Path | None, typer.Option(
    help="Manifest file, relative to the repository (default: contracts/subjects.yaml, else subjects.yaml).")]
