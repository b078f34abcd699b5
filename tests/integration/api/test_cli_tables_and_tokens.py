"""`subshift migrate` against the real API: a list in a pipe shows a 7-digit count whole, an expired token
is refused with a sentence that says it expired, and a dry run's table and JSON give one verdict."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from api.conftest import Api
from api.uploads import Token, fresh_users, rows, upload
from subshift.api.auth import Role
from subshift.api.tokens import mint_dev_token
from subshift_client import migration_v1 as pb


def _cli(api: Api, token: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SUBSHIFT_") and k != "COLUMNS"}
    return subprocess.run([sys.executable, "-m", "subshift", "migrate", *args, "--addr", api.target, "--token", token],
                          capture_output=True, text=True, timeout=120, env=env, check=False)


def test_migrate_list_in_a_pipe_shows_a_seven_digit_count_whole(api: Api, stub: pb.MigrationServiceStub,
                                                                 token: Token, db: Any) -> None:
    migration = upload(stub, token, rows(f"{fresh_users(1)[0]},basic,gold")).migration
    # Counts as a large migration leaves them (the API reads them from the row).
    with db.cursor() as cur:
        cur.execute("UPDATE migrations SET rows_received = 1234567, applied = 1234560, conflicts = 7 WHERE id = %s",
                    (migration.migration_id,))
    operator = mint_dev_token(api.settings.auth, role=Role.OPERATOR, subject="pipe", ttl_seconds=600)
    done = _cli(api, operator, "list", "--limit", "1")
    assert done.returncode == 0, done.stderr
    assert "1,234,567" in done.stdout and "1,234,560" in done.stdout
    assert migration.migration_id in done.stdout
    assert max(len(line) for line in done.stdout.splitlines()) <= 80


def test_an_expired_token_is_said_to_have_expired(api: Api) -> None:
    an_hour_ago = time.time() - 3600
    token = mint_dev_token(api.settings.auth, role=Role.OPERATOR, subject="late", ttl_seconds=60,
                           clock=lambda: an_hour_ago)
    done = _cli(api, token, "list")
    assert done.returncode == 1
    assert done.stderr.startswith("error: your token expired at ")
    assert "mint a new one" in done.stderr


@pytest.mark.parametrize(("max_rejected", "accepted", "code"), [
    pytest.param([], False, 1, id="refused_without_max_rejected"),
    pytest.param(["--max-rejected", "1"], True, 0, id="accepted_with_max_rejected"),
])
def test_a_dry_runs_table_and_json_share_one_verdict_and_exit_code(api: Api, tmp_path: Path, max_rejected: list[str],
                                                                   accepted: bool, code: int) -> None:
    operator = mint_dev_token(api.settings.auth, role=Role.OPERATOR, subject="dry", ttl_seconds=600)
    moves = tmp_path / "moves.csv"
    moves.write_bytes(rows("user0004,basic,gold", "user0005,basic,gold", "not a user,basic,gold"))
    table = _cli(api, operator, "upload", str(moves), "--dry-run", *max_rejected)
    document = _cli(api, operator, "upload", str(moves), "--dry-run", *max_rejected, "--output", "json")
    verdict = json.loads(document.stdout)["verdict"]
    assert (table.returncode, document.returncode) == (code, code)
    assert verdict["accepted"] is accepted
    assert f"dry run: {verdict['summary']}; nothing was staged" in " ".join(table.stdout.split())
    assert "basic" in table.stdout and "gold" in table.stdout  # the moves table
    assert json.loads(document.stdout)["report"]["moves"] == [
        {"current_offer": "basic", "target_offer": "gold", "rows": 2, "would_apply": 1, "would_skip": 0,
         "would_conflict": 1, "not_found": 0}]
