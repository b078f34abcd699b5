"""The client's declared version ranges are honest at both ends: in a fresh venv holding the lowest allowed
version of every dependency, and in one holding the newest (as locked in requirements/dev.txt), the client
imports and its unit tests pass.

The two venvs are built once per session (about a minute with pip's cache warm) and need no stack.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from client_package.fresh_venv import (
    REPO,
    build_client_wheel,
    create_venv_with,
    declared_requirements,
    floor_constraints,
)
from tests.unit.environment.python_lock import read_lock

pytestmark = pytest.mark.integration

_EXTRAS = ("kafka",)
_VERSIONS = (
    "import json, importlib.metadata as m; "
    "print(json.dumps({n: m.version(n) for n in ('protobuf', 'grpcio', 'grpcio-status', 'googleapis-common-protos',"
    " 'confluent-kafka', 'fastavro')}))"
)


@pytest.fixture(scope="module")
def client_wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_client_wheel(tmp_path_factory.mktemp("wheelhouse"))


@pytest.fixture(scope="module")
def oldest(client_wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("oldest") / "venv"
    return create_venv_with(target, f"{client_wheel}[kafka]", "pytest",
                            constraints=floor_constraints(extras=_EXTRAS))


@pytest.fixture(scope="module")
def newest(client_wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    # The newest versions as of the last lock refresh (requirements/dev.txt, which scripts/upgrade-deps moves to
    # the newest releases), not whatever the index serves today: a new upstream release must not turn CI red
    # without a change here.
    lock = read_lock(REPO / "requirements" / "dev.txt")
    locked = "".join(f"{entry.name}=={entry.version}\n" for entry in lock.values() if entry.applies_here())
    return create_venv_with(tmp_path_factory.mktemp("newest") / "venv", f"{client_wheel}[kafka]", "pytest",
                            constraints=locked)


def _installed(python: Path) -> dict[str, str]:
    shown = subprocess.run([python, "-c", _VERSIONS], check=True, capture_output=True, text=True)
    versions: dict[str, str] = json.loads(shown.stdout)
    return versions


def _client_unit_tests(python: Path) -> subprocess.CompletedProcess[str]:
    # Only the client and pytest are installed: the server package is not importable there.
    return subprocess.run(
        [python, "-m", "pytest", "tests/unit/client", "-q", "-p", "no:cacheprovider"],
        cwd=REPO, check=False, capture_output=True, text=True, timeout=600,
    )


def test_the_oldest_venv_holds_exactly_the_declared_floors(oldest: Path) -> None:
    floors = dict(line.split("==") for line in floor_constraints(extras=_EXTRAS).splitlines())
    installed = _installed(oldest)
    assert {name: installed[name] for name in installed} == {name: floors[name] for name in installed}


def test_every_declared_dependency_has_a_floor_and_a_ceiling() -> None:
    unbounded = [req for req in declared_requirements(extras=_EXTRAS)
                 if ">=" not in req or ("<" not in req and not req.startswith("types-"))]
    assert unbounded == []


@pytest.mark.parametrize("venv", ["oldest", "newest"])
def test_the_client_unit_tests_pass_on_the_oldest_and_the_newest_dependencies(
    venv: str, request: pytest.FixtureRequest
) -> None:
    python: Path = request.getfixturevalue(venv)
    run = _client_unit_tests(python)
    assert run.returncode == 0, f"{_installed(python)}\n{run.stdout[-4000:]}\n{run.stderr[-2000:]}"
    assert " passed" in run.stdout


def test_the_newest_venv_runs_a_newer_protobuf_and_grpcio_than_the_floors(oldest: Path, newest: Path) -> None:
    old, new = _installed(oldest), _installed(newest)
    assert _as_tuple(new["protobuf"]) > _as_tuple(old["protobuf"])
    assert _as_tuple(new["grpcio"]) > _as_tuple(old["grpcio"])


def _as_tuple(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split(".") if part.isdigit())
