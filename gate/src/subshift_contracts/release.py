"""A contract release: the ``contracts-vVERSION`` tag the gate measures every later change against.

Steps, in order:
1. Refuse when the tag exists already or the working tree has uncommitted changes (a release
   names a commit, so what it releases must be committed).
2. Run the gate: a release never blesses a break.
3. Let the caller write files that belong to the release (Subshift writes its golden wire
   fixtures), and commit them.
4. Tag the commit ``contracts-vVERSION`` (annotated). Until a first tag exists the gate uses
   HEAD's first parent as its baseline.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from subshift_contracts.check import CheckOptions, run_check
from subshift_contracts.findings import Report
from subshift_contracts.history import git
from subshift_contracts_core.errors import ContractError
from subshift_contracts_core.manifest import Manifest

__all__ = ["Release", "ensure_new_release", "release", "tag_name"]

_VERSION = re.compile(r"v?(\d+)")


@dataclass(frozen=True)
class Release:
    """What ``release`` did: the tag it made (``None`` when the gate refused) and the gate's report."""

    tag: str | None
    report: Report
    written: tuple[Path, ...] = ()


def tag_name(version: str) -> str:
    """``contracts-v<N>`` for ``N`` or ``vN``.

    Raises:
        ContractError: not a whole number (releases are numbered 1, 2, 3…).
    """
    matched = _VERSION.fullmatch(version.strip())
    if matched is None:
        raise ContractError(f"release version {version!r} is not a whole number; use 1, 2, 3… (or v1, v2…)")
    return f"contracts-v{int(matched.group(1))}"


def ensure_new_release(repo: Path, version: str) -> str:
    """The tag of release ``version``, which must not exist yet.

    Raises:
        ContractError: ``version`` is not a whole number, or its tag exists already.
    """
    tag = tag_name(version)
    if git(repo, "rev-parse", "--verify", "--quiet", f"refs/tags/{tag}", check=False).returncode == 0:
        raise ContractError(f"tag {tag} exists already; a release is never moved, release the next version")
    return tag


def release(repo: Path, manifest: Manifest, version: str,
            write: Callable[[], Sequence[Path]] | None = None) -> Release:
    """Tag the current commit as contract release ``version`` after the gate passes (see the module's steps).

    Raises:
        ContractError: the tag exists, the working tree is not clean, or git refused.
    """
    tag = ensure_new_release(repo, version)
    dirty = git(repo, "status", "--porcelain", "--untracked-files=no").stdout.strip()
    if dirty:
        raise ContractError(f"the working tree has uncommitted changes ({dirty.splitlines()[0].strip()}, …); "
                            "commit them, then release")
    report = run_check(manifest, CheckOptions(repo=repo))
    if not report.passed:
        return Release(tag=None, report=report)
    written = tuple(write()) if write is not None else ()
    if written:
        git(repo, "add", "--", *(str(path) for path in written))
        git(repo, "commit", "--quiet", "-m", f"contracts {tag.removeprefix('contracts-')}: release files", "--",
            *(str(path) for path in written))
    git(repo, "tag", "--annotate", tag, "--message", f"contract release {tag.removeprefix('contracts-')}")
    return Release(tag=tag, report=report, written=written)
