"""The README's quick start, run as written: its commands, in order, from an empty database and new topics.

The commands are read from the README (between ``<!-- quickstart:begin -->`` and ``end``), so the
document and this test cannot drift. Two lines are the stack's own (``stack up`` starts servers,
``stack env`` says where they are); here the shared stack is already up, so those two lines, which
must be in the quick start as written, are replaced by the environment of this test: the stack's
endpoints, a database created empty for the test, a topic prefix, a consumer group and free ports
of its own. Every other line runs in bash exactly as the README shows it, in a folder of its own.
"""

from __future__ import annotations

import os
import shlex
import shutil
import socket
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg2
import pytest
from confluent_kafka.admin import AdminClient

from subshift.config import DatabaseSettings, Settings
from tests.integration.scratch_db import scratch_database

REPO = Path(__file__).resolve().parents[3]
README = REPO / "README.md"
STACK_UP = ".venv/bin/subshift stack up"
STACK_ENV = 'eval "$(.venv/bin/subshift stack env)"'


def quickstart_commands(readme: str) -> list[str]:
    """The commands of the README's quick start block, one per line, as written."""
    block = readme.split("<!-- quickstart:begin -->", 1)[1].split("<!-- quickstart:end -->", 1)[0]
    body = block.split("```sh", 1)[1].split("```", 1)[0]
    return [line.strip() for line in body.splitlines() if line.strip()]


def _command(line: str) -> str:
    return line.split("  #", 1)[0].strip()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture
def empty_database(settings: Settings) -> Iterator[DatabaseSettings]:
    with scratch_database(settings, "subshift_quickstart", migrate=False) as database:
        yield database


def test_the_readme_quick_start_runs_to_a_finished_migration(
        settings: Settings, empty_database: DatabaseSettings, kafka_admin: AdminClient, tmp_path: Path) -> None:
    lines = quickstart_commands(README.read_text(encoding="utf-8"))
    commands = [_command(line) for line in lines]
    assert commands[:2] == [STACK_UP, STACK_ENV], "the quick start starts the stack, then exports where it is"
    prefix = f"quickstart-{uuid.uuid4().hex[:8]}."
    here = {
        "SUBSHIFT_KAFKA_BOOTSTRAP": settings.kafka.bootstrap,
        "SUBSHIFT_REGISTRY_URL": settings.registry.url,
        "SUBSHIFT_DATABASE_URL": empty_database.sqlalchemy_url(),
        "SUBSHIFT_KAFKA_TOPIC_PREFIX": prefix,
        "SUBSHIFT_CONSUMER_GROUP_ID": f"{prefix}apply",
        "SUBSHIFT_API_ADDR": f"127.0.0.1:{_free_port()}",
        "SUBSHIFT_API_METRICS_PORT": "0",
        "SUBSHIFT_RELAY_METRICS_PORT": "0",
        "SUBSHIFT_CONSUMER_METRICS_PORT": "0",
    }
    script = "\n".join([
        "set -euo pipefail",
        "trap 'kill $(jobs -p) 2>/dev/null; wait' EXIT",  # `serve all &` stops with the script
        "true  # " + lines[0],
        *(f"export {name}={shlex.quote(value)}" for name, value in here.items()),
        *(f'echo "+ {line}" >&2\n{line}' for line in lines[2:]),
    ])
    # The quick start runs in a checkout: the contracts in a git repository (`contracts publish` reads them from
    # the repository it stands in) and the venv scripts/bootstrap made.
    shutil.copytree(REPO / "contracts", tmp_path / "contracts")
    for git in (["init", "-q"], ["add", "contracts"], ["-c", "user.name=quickstart", "-c", "user.email=q@example.com",
                                                       "commit", "-q", "-m", "contracts"]):
        subprocess.run(["git", *git], cwd=tmp_path, check=True, capture_output=True)
    (tmp_path / ".venv").symlink_to(Path(sys.executable).parents[1])
    env = {k: v for k, v in os.environ.items() if not k.startswith("SUBSHIFT_")}
    try:
        done = subprocess.run(["bash", "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True,
                              timeout=600, check=False)
        log = (tmp_path / "subshift.log").read_text(encoding="utf-8", errors="replace") \
            if (tmp_path / "subshift.log").exists() else ""
        assert done.returncode == 0, f"quick start failed:\n{done.stderr[-4000:]}\n{done.stdout[-2000:]}\n{log[-3000:]}"
        assert "succeeded" in done.stdout  # the waited-for migration's table, and the list
        with psycopg2.connect(empty_database.libpq_dsn()) as conn, conn.cursor() as cur:
            cur.execute("SELECT state, staged, applied + skipped + conflicts + not_found FROM migrations")
            migrations = cur.fetchall()
        conn.close()
        assert len(migrations) == 1
        [(state, staged, outcomes)] = migrations
        assert state in ("succeeded", "succeeded_with_errors")
        assert staged == outcomes == 5000 - 3
    finally:
        topics = [t for t in kafka_admin.list_topics(timeout=15).topics if t.startswith(prefix)]
        if topics:
            for future in kafka_admin.delete_topics(topics, operation_timeout=15).values():
                future.result(timeout=15)
