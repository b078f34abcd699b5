"""The Python locks: they satisfy every declared range, the venv holds exactly the dev lock, production
carries the versions the tests ran with, and the generator pins are the locked versions.

When one of these fails after a change to a ``pyproject.toml``, run ``scripts/upgrade-deps --keep``.
"""

from __future__ import annotations

import re
import sys
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from subshift_tooling.codegen.pins import read_pins
from tests.unit.environment.python_lock import (
    LOCAL_PROJECTS,
    REPO,
    declared_requirements,
    read_lock,
    unmet_requirements,
)

DEV_LOCK = REPO / "requirements" / "dev.txt"
RUNTIME_LOCK = REPO / "requirements" / "runtime.txt"
FIX = "; refresh the locks with `scripts/upgrade-deps --keep`"
# Installed into every venv by Python itself; the lock does not manage the installer.
_INSTALLER = frozenset({"pip"})


def _dev_requirements(service_pyproject: Path = REPO / "pyproject.toml") -> list[Requirement]:
    return (declared_requirements(service_pyproject, ("dev", "otlp")) + _runtime_project_requirements()
            + declared_requirements(REPO / "gate" / "pyproject.toml")
            + declared_requirements(REPO / "tooling" / "pyproject.toml"))


def _runtime_project_requirements() -> list[Requirement]:
    """What the client and the contracts core, installed from this checkout beside the service, declare."""
    return declared_requirements(REPO / "clients" / "python" / "pyproject.toml", ("kafka",)) + declared_requirements(
        REPO / "gate" / "core" / "pyproject.toml"
    )


def test_the_dev_lock_satisfies_every_declared_range() -> None:
    problems = unmet_requirements(_dev_requirements(), read_lock(DEV_LOCK), "requirements/dev.txt")
    assert not problems, "\n".join(problems) + FIX


def test_the_runtime_lock_satisfies_the_service_and_the_client() -> None:
    requirements = declared_requirements(REPO / "pyproject.toml", ("otlp",)) + _runtime_project_requirements()
    problems = unmet_requirements(requirements, read_lock(RUNTIME_LOCK), "requirements/runtime.txt")
    assert not problems, "\n".join(problems) + FIX


def test_the_runtime_lock_carries_neither_the_gate_nor_the_tooling() -> None:
    # Production imports none of these: the gate's Avro verdicts and buf binary, the stack's and bench's psutil.
    runtime = read_lock(RUNTIME_LOCK)
    development_only = {"avro", "buf-bin", "psutil"}
    assert sorted(development_only & runtime.keys()) == [], "requirements/runtime.in must not name ./gate or ./tooling"
    assert development_only <= read_lock(DEV_LOCK).keys()


def test_production_carries_the_versions_the_tests_ran_with() -> None:
    dev, runtime = read_lock(DEV_LOCK), read_lock(RUNTIME_LOCK)
    differing = sorted(
        f"{name}: runtime {entry.version}, dev {dev[name].version if name in dev else 'absent'}"
        for name, entry in runtime.items()
        if name not in dev or dev[name].version != entry.version
    )
    assert not differing, "\n".join(differing) + FIX


def test_a_bumped_range_is_reported_until_the_lock_is_refreshed(tmp_path: Path) -> None:
    locked = read_lock(DEV_LOCK)["grpcio"].version
    major, minor = (int(part) for part in locked.split(".")[:2])
    bumped = tmp_path / "pyproject.toml"
    text = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    bumped.write_text(re.sub(r'"grpcio>=[^"]*"', f'"grpcio>={major}.{minor + 1}"', text, count=1), encoding="utf-8")

    problems = unmet_requirements(_dev_requirements(bumped), read_lock(DEV_LOCK), "requirements/dev.txt")

    assert problems == [f"grpcio>={major}.{minor + 1} is declared but requirements/dev.txt holds grpcio {locked}"]


def test_a_new_dependency_is_reported_until_the_lock_is_refreshed(tmp_path: Path) -> None:
    grown = tmp_path / "pyproject.toml"
    text = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    grown.write_text(text.replace("dependencies = [", 'dependencies = ["not-in-the-lock>=1",', 1), encoding="utf-8")

    problems = unmet_requirements(_dev_requirements(grown), read_lock(DEV_LOCK), "requirements/dev.txt")

    assert problems == ["not-in-the-lock>=1 is declared but requirements/dev.txt does not hold not-in-the-lock"]


def test_the_venv_holds_exactly_the_dev_lock() -> None:
    """What scripts/bootstrap installed, compared with the lock like ``pip freeze`` against it."""
    assert Path(sys.prefix).resolve() == (REPO / ".venv").resolve(), (
        f"run the tests with {REPO / '.venv'}, the venv scripts/bootstrap installs from the lock"
    )
    installed = {
        canonicalize_name(dist.metadata["Name"]): dist.version for dist in metadata.distributions()
    }
    wanted = {name: entry.version for name, entry in read_lock(DEV_LOCK).items() if entry.applies_here()}
    mismatched = sorted(
        f"{name}: installed {installed.get(name, 'nothing')}, locked {version}"
        for name, version in wanted.items()
        if installed.get(name) != version
    )
    unlocked = sorted(set(installed) - set(wanted) - LOCAL_PROJECTS - _INSTALLER)
    assert not mismatched and not unlocked, (
        "\n".join(mismatched + [f"{name}: installed but not in the lock" for name in unlocked])
        + "; run scripts/bootstrap"
    )


def test_the_generator_pins_are_the_locked_versions() -> None:
    pins = read_pins(REPO / "codegen" / "versions.toml")
    lock = read_lock(REPO / "requirements" / "codegen.txt")
    differing = sorted(
        f"{name}: codegen/versions.toml {version}, requirements/codegen.txt "
        f"{lock[canonicalize_name(name)].version if canonicalize_name(name) in lock else 'absent'}"
        for name, version in pins.items()
        if canonicalize_name(name) not in lock or lock[canonicalize_name(name)].version != version
    )
    assert pins and not differing, "\n".join(differing)
