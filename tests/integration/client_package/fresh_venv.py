"""A fresh virtual environment with only the client distribution (`clients/python`) installed.

The client's wheel is built from the checkout each time; its dependencies come from a wheelhouse
under the state dir, filled from the package index the first time (later runs install offline).
``floor_constraints`` turns the client's declared ranges into pins of their lowest versions, so a venv
can hold exactly the oldest dependencies the client claims to work with.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]
CLIENT_PYPROJECT = REPO / "clients/python/pyproject.toml"
_PIP = [sys.executable, "-m", "pip", "--disable-pip-version-check", "--quiet"]
# "name[extra]>=1.2,<2" → name and floor; a requirement without a floor is a bug the caller reports.
_FLOOR = re.compile(r"^(?P<name>[A-Za-z0-9_.-]+)(?:\[[^\]]*\])?\s*(?:[^;]*?)>=\s*(?P<floor>[^,;\s]+)")


def _run(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(arg) for arg in args], check=False, capture_output=True, text=True)


def _checked(*args: str | Path) -> None:
    done = _run(*args)
    assert done.returncode == 0, f"{' '.join(map(str, args))} failed:\n{done.stdout}\n{done.stderr}"


def declared_requirements(*, extras: tuple[str, ...] = ()) -> list[str]:
    """The client's dependencies as written in its pyproject, with those of ``extras``."""
    project = tomllib.loads(CLIENT_PYPROJECT.read_text(encoding="utf-8"))["project"]
    optional: dict[str, list[str]] = project.get("optional-dependencies", {})
    return [*project["dependencies"], *(req for extra in extras for req in optional[extra])]


def floor_constraints(*, extras: tuple[str, ...] = ()) -> str:
    """pip constraints pinning every declared dependency (and those of ``extras``) to its floor."""
    pins: list[str] = []
    for requirement in declared_requirements(extras=extras):
        match = _FLOOR.match(requirement)
        assert match, f"{requirement!r} in {CLIENT_PYPROJECT} has no floor (>=)"
        pins.append(f"{match.group('name')}=={match.group('floor')}")
    return "\n".join(pins) + "\n"


def build_client_wheel(wheelhouse: Path) -> Path:
    """Build the client's wheel from the checkout into ``wheelhouse``; return its path."""
    wheelhouse.mkdir(parents=True, exist_ok=True)
    for stale in wheelhouse.glob("subshift_client-*.whl"):
        stale.unlink()
    _checked(*_PIP, "wheel", "--no-deps", "--no-build-isolation", "--wheel-dir", wheelhouse, REPO / "clients/python")
    return next(wheelhouse.glob("subshift_client-*.whl"))


def create_client_venv(target: Path, wheelhouse: Path) -> Path:
    """Create a venv at ``target`` holding ``subshift-client`` and its dependencies; return its python."""
    build_client_wheel(wheelhouse)
    _checked(sys.executable, "-m", "venv", "--without-pip", target)
    python = target / "bin" / "python"
    install = (*_PIP, "--python", python, "install", "--no-index", "--find-links", wheelhouse, "subshift-client")
    if _run(*install).returncode != 0:  # first run, or the client gained a dependency: fetch once
        _checked(*_PIP, "--python", python, "download", "--dest", wheelhouse, "--find-links", wheelhouse,
                 "subshift-client")
        _checked(*install)
    return python


def create_venv_with(target: Path, *requirements: str | Path, constraints: str | None = None) -> Path:
    """Create a venv at ``target`` and install ``requirements`` from the package index (pip's cache makes
    reruns quick), under ``constraints`` when given; return its python."""
    _checked(sys.executable, "-m", "venv", "--without-pip", target)
    python = target / "bin" / "python"
    options: list[str | Path] = []
    if constraints is not None:
        constraints_file = target / "constraints.txt"
        constraints_file.write_text(constraints, encoding="utf-8")
        options = ["--constraint", constraints_file]
    _checked(*_PIP, "--python", python, "install", *options, *requirements)
    return python
