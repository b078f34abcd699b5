"""Running the Go client's tests from pytest: where `go` is, and `go test` with an environment."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]
GO_CLIENT = REPO / "clients" / "go"
_GO_TEST_SECONDS = 900  # a first build of grpc and franz-go on two shared cores takes minutes


def go_binary() -> str:
    """The Go toolchain (scripts/bootstrap needs it too); fails loudly when it is missing."""
    found = shutil.which("go") or ("/usr/local/go/bin/go" if Path("/usr/local/go/bin/go").exists() else None)
    assert found, "the Go toolchain is not installed (scripts/bootstrap names how to get it)"
    return found


def run_go(args: list[str], *, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """``go <args>`` in ``cwd`` with ``env`` added to this process's environment; output captured."""
    return subprocess.run([go_binary(), *args], cwd=cwd, env={**os.environ, **env}, capture_output=True, text=True,
                          timeout=_GO_TEST_SECONDS, check=False)


def passed_tests(output: str) -> set[str]:
    """Names of the tests `go test -v` reported as passed (subtests included)."""
    return {line.split()[2] for line in output.splitlines() if line.strip().startswith("--- PASS: ")}
