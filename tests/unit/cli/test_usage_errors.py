"""Usage errors are one sentence on standard error and exit 2; an API that is down is said within seconds."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

CLOSED = "127.0.0.1:1"  # nothing listens on port 1
MIGRATION = "0b7c3f1e-5a2d-4c8e-9f10-2b3c4d5e6f70"


def _run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("SUBSHIFT_")}
    return subprocess.run([sys.executable, "-m", "subshift", *args], capture_output=True, text=True, timeout=120,
                          env={**clean, **(env or {})}, check=False)


def _one_sentence(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1, stderr
    assert "Traceback" not in stderr
    return lines[0]


@pytest.mark.parametrize(("args", "env", "sentence"), [
    pytest.param(("migrate", "upload", "no-such-moves.csv"), None, "error: no-such-moves.csv does not exist",
                 id="missing_upload_file"),
    pytest.param(("migrate", "list", "--addr", "foo bar"), None,
                 "error: --addr 'foo bar' is not an address: give host:port", id="bad_addr_flag"),
    pytest.param(("migrate", "get", MIGRATION), {"SUBSHIFT_API_ADDR": "localhost"},
                 "error: --addr 'localhost' is not an address: give host:port", id="addr_without_port_from_env"),
    pytest.param(("token", "--role", "operator", "--ttl", "5x"), None,
                 "error: --ttl '5x' is not a duration: give a number and a unit", id="bad_duration"),
    pytest.param(("token", "--role", "operator", "--ttl", "0s"), None,
                 "error: --ttl 0s: a token must live longer than that", id="zero_duration"),
    pytest.param(("migrate", "results", MIGRATION, "-o", "no-such-folder/results.csv"), None,
                 "error: -o no-such-folder/results.csv: the folder no-such-folder does not exist", id="results_folder"),
    pytest.param(("dlq", "replay", "--dry-run", "--migration", "x"), None,
                 "error: --migration 'x' is not a migration id", id="dlq_bad_migration_id"),
    pytest.param(("dlq", "list", "--since", "yesterday"), None, "error: --since 'yesterday' is not a time",
                 id="dlq_bad_time"),
    pytest.param(("migrate", "list", "--state", "done"), None, "error: --state 'done' is not a state",
                 id="unknown_state"),
    pytest.param(("dlq", "replay", "--reason", "invalid_record"), None,
                 "error: a replay records who ran it: pass --by NAME", id="replay_without_a_name"),
])
def test_a_usage_error_is_one_sentence_and_exit_2(args: tuple[str, ...], env: dict[str, str] | None,
                                                    sentence: str | None, tmp_path: Path) -> None:
    done = _run(*args, env=env)
    assert done.returncode == 2, done.stderr
    if sentence is not None:
        assert _one_sentence(done.stderr).startswith(sentence)
    assert not (Path.cwd() / "no-such-folder").exists()


def test_watch_gives_up_within_seconds_when_the_api_is_down() -> None:
    started = time.monotonic()
    done = _run("migrate", "watch", MIGRATION, "--addr", CLOSED)
    took = time.monotonic() - started
    assert done.returncode == 3
    assert done.stderr.startswith("error: cannot reach the API")
    assert took < 30  # a liveness bound with a wide margin (it retries for about 3-6 s); it used to wait 77 s
