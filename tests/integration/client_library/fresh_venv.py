"""A fresh virtual environment with only the client distribution (`clients/python`) installed.

The client's wheel is built from the checkout each time; its dependencies come from a wheelhouse
under the state dir, filled from the package index the first time (later runs install offline).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]
_PIP = [sys.executable, "-m", "pip", "--disable-pip-version-check", "--quiet"]


def _run(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(arg) for arg in args], check=False, capture_output=True, text=True)


def _checked(*args: str | Path) -> None:
    done = _run(*args)
    assert done.returncode == 0, f"{' '.join(map(str, args))} failed:\n{done.stdout}\n{done.stderr}"


def create_client_venv(target: Path, wheelhouse: Path) -> Path:
    """Create a venv at ``target`` holding ``subshift-client`` and its dependencies; return its python."""
    wheelhouse.mkdir(parents=True, exist_ok=True)
    for stale in wheelhouse.glob("subshift_client-*.whl"):
        stale.unlink()
    _checked(*_PIP, "wheel", "--no-deps", "--no-build-isolation", "--wheel-dir", wheelhouse, REPO / "clients/python")
    _checked(sys.executable, "-m", "venv", "--without-pip", target)
    python = target / "bin" / "python"
    install = (*_PIP, "--python", python, "install", "--no-index", "--find-links", wheelhouse, "subshift-client")
    if _run(*install).returncode != 0:  # first run, or the client gained a dependency: fetch once
        _checked(*_PIP, "--python", python, "download", "--dest", wheelhouse, "--find-links", wheelhouse,
                 "subshift-client")
        _checked(*install)
    return python
