"""Read the Python locks (``requirements/*.txt``) and check them against what the projects declare.

The locks are written by ``scripts/upgrade-deps`` (uv, exact versions with hashes). These helpers only read
them: a lock entry is ``name==version`` with an optional environment marker; hashes and comments are skipped.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

__all__ = ["LockEntry", "declared_requirements", "read_lock", "unmet_requirements"]

REPO = Path(__file__).resolve().parents[3]
# The projects of this repository: a lock never holds them, they are installed from the checkout.
LOCAL_PROJECTS = frozenset({"subshift", "subshift-client", "subshift-contracts", "subshift-contracts-core",
                            "subshift-tooling"})


@dataclass(frozen=True)
class LockEntry:
    name: str
    version: str
    marker: Marker | None

    def applies_here(self) -> bool:
        """Whether this entry is installed on the running interpreter's platform."""
        return self.marker is None or self.marker.evaluate()


def read_lock(path: Path) -> dict[str, LockEntry]:
    """Entries of a hashed lock by canonical name, continuation lines (``--hash=…``) joined."""
    logical = path.read_text(encoding="utf-8").replace("\\\n", " ").splitlines()
    entries: dict[str, LockEntry] = {}
    for line in logical:
        text = line.split(" --hash", 1)[0].split("#", 1)[0].strip()
        if not text:
            continue
        requirement = Requirement(text)
        pins = [spec.version for spec in requirement.specifier if spec.operator == "=="]
        assert len(pins) == 1, f"{path.name}: {text!r} is not pinned to one exact version"
        name = canonicalize_name(requirement.name)
        entries[name] = LockEntry(name, pins[0], requirement.marker)
    return entries


def declared_requirements(pyproject: Path, extras: tuple[str, ...] = ()) -> list[Requirement]:
    """A project's dependencies and those of the given extras, as written in its ``pyproject.toml``."""
    project = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
    lines = list(project.get("dependencies", []))
    for extra in extras:
        lines += project.get("optional-dependencies", {})[extra]
    return [Requirement(line) for line in lines]


def unmet_requirements(requirements: list[Requirement], lock: dict[str, LockEntry], lock_name: str) -> list[str]:
    """One sentence per declared requirement the lock does not satisfy (missing, or outside the range)."""
    problems = []
    for requirement in requirements:
        name = canonicalize_name(requirement.name)
        if name in LOCAL_PROJECTS or (requirement.marker is not None and not requirement.marker.evaluate()):
            continue
        entry = lock.get(name)
        if entry is None:
            problems.append(f"{requirement} is declared but {lock_name} does not hold {requirement.name}")
        elif not requirement.specifier.contains(entry.version, prereleases=True):
            problems.append(f"{requirement} is declared but {lock_name} holds {requirement.name} {entry.version}")
    return problems
