"""The gate, run from a second worktree of this repository with this checkout's venv, checks that worktree."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from compat_tests.gate_support import REPO_ROOT

_AVRO = "contracts/avro/user_offer_migration_requested.avsc"
_PROTO = "contracts/proto/subshift/migration/v1/access.proto"


@pytest.fixture
def worktree(tmp_path: Path) -> Iterator[Path]:
    """A detached worktree of this checkout's HEAD, removed after the test."""
    path = tmp_path / "second"
    subprocess.run(["git", "-C", str(REPO_ROOT), "worktree", "add", "--quiet", "--detach", str(path), "HEAD"],
                   check=True, capture_output=True)
    yield path
    subprocess.run(["git", "-C", str(REPO_ROOT), "worktree", "remove", "--force", str(path)], check=True,
                   capture_output=True)


def _check(cwd: Path, *command: str) -> subprocess.CompletedProcess[str]:
    executable = str(Path(sys.executable).parent / command[0])
    return subprocess.run([executable, *command[1:], "--format", "json"], cwd=cwd, capture_output=True, text=True,
                          timeout=300, check=False)


def _break_avro(root: Path) -> None:
    schema = json.loads((root / _AVRO).read_text(encoding="utf-8"))
    schema["fields"].append({"name": "x", "type": "string"})
    (root / _AVRO).write_text(json.dumps(schema, indent=2), encoding="utf-8")


def _break_proto(root: Path) -> None:
    proto = root / _PROTO
    proto.write_text("".join(line for line in proto.read_text(encoding="utf-8").splitlines(keepends=True)
                             if "ROLE_ADMIN = 3;" not in line), encoding="utf-8")


@pytest.mark.parametrize("command", [("subshift", "contracts", "check"), ("subshift-contracts", "check")],
                         ids=" ".join)
def test_an_avro_and_a_protobuf_break_in_the_other_worktree_fail(worktree: Path, command: tuple[str, ...]) -> None:
    _break_avro(worktree)
    _break_proto(worktree)

    done = _check(worktree / "contracts" / "avro", *command)

    assert done.returncode == 1, done.stderr
    found = {(f["rule"], f["subject_or_file"]) for f in json.loads(done.stdout)["findings"]}
    assert found == {("READER_FIELD_MISSING_DEFAULT_VALUE", "user-offers-value"), ("ENUM_VALUE_NO_DELETE", _PROTO)}


def test_the_unchanged_worktree_passes(worktree: Path) -> None:
    done = _check(worktree, "subshift-contracts", "check")
    assert done.returncode == 0, done.stdout + done.stderr
