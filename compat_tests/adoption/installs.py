"""The gate installed alone, outside this checkout: one fresh virtualenv per install route, per session.

The fixtures are registered by ``conftest.py`` beside this module.

- ``folder_install``: ``pip install gate/core gate/`` (what a team's CI does from a checkout of this repository);
- ``wheel_install``: the wheels built from ``gate/core/`` and ``gate/``, installed non-editable.

Each costs about 15 s with a warm pip cache; every test of this folder shares them.
"""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from compat_tests.gate_support import REPO_ROOT

__all__ = ["CORE_FOLDER", "GATE_FOLDER", "Install", "folder_install", "wheel_install"]

GATE_FOLDER = REPO_ROOT / "gate"
# What the gate shares with the service (subshift-contracts-core); installed with the gate, never alone.
CORE_FOLDER = GATE_FOLDER / "core"


@dataclass(frozen=True)
class Install:
    """A virtualenv holding the gate and nothing of the service."""

    venv: Path

    @property
    def command(self) -> Path:
        return self.venv / "bin" / "subshift-contracts"

    def pip(self, *args: str) -> str:
        done = subprocess.run([str(self.venv / "bin" / "python"), "-m", "pip", *args], capture_output=True,
                              text=True, timeout=600, check=False)
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout


def _fresh_venv(path: Path) -> Install:
    # The interpreter running the tests, never this checkout's venv: the new one starts empty.
    base = getattr(sys, "_base_executable", sys.executable)
    subprocess.run([base, "-m", "venv", str(path)], check=True, capture_output=True, timeout=300)
    return Install(path)


@pytest.fixture(scope="session")
def folder_install(tmp_path_factory: pytest.TempPathFactory) -> Install:
    install = _fresh_venv(tmp_path_factory.mktemp("gate-folder") / "venv")
    install.pip("install", "--quiet", "--disable-pip-version-check", str(CORE_FOLDER), str(GATE_FOLDER))
    return install


@pytest.fixture(scope="session")
def wheel_install(tmp_path_factory: pytest.TempPathFactory) -> Install:
    wheels = tmp_path_factory.mktemp("gate-wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--disable-pip-version-check",
                    "--wheel-dir", str(wheels), str(CORE_FOLDER), str(GATE_FOLDER)], check=True, capture_output=True,
                   timeout=600)
    (core,) = wheels.glob("subshift_contracts_core-*.whl")
    (wheel,) = wheels.glob("subshift_contracts-*.whl")
    install = _fresh_venv(wheels / "venv")
    install.pip("install", "--quiet", "--disable-pip-version-check", str(core), str(wheel))
    return install
