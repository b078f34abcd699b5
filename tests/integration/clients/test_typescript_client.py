"""The TypeScript client (`npm test` in clients/typescript) against a live Subshift on the real stack.

Steps:
1. start `subshift serve all` with its own database, topic prefix and consumer group; load demo subscribers and
   write a 1,000-row CSV with 3 bad rows;
2. stage one more migration straight in the database, already counted as published, so the relay leaves it
   alone: its single event is the one the TypeScript producer sends;
3. run `npm test` with the endpoints, the CSV and that migration in the environment: golden fixtures, the live
   migration, its events read back from Kafka through the registry, the produced event, the README example;
4. check in the database that the Python consumer applied the TypeScript client's event.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from client_package.live import LiveSubshift, live_subshift
from pipeline.harness import wait_until
from pipeline.seeding import Row, new_scenario, offers_of, outcomes_of, seed_subscriptions, stage_migration

from subshift.config import Settings
from subshift.db.connect import connect
from subshift.db.models import MigrationState
from subshift_tooling.seeding import build_catalog, build_population, load_demo_data, write_migration_csv

pytestmark = pytest.mark.integration

PACKAGE = Path(__file__).resolve().parents[3] / "clients" / "typescript"
ROWS, BAD_ROWS, SUBSCRIBERS = 1000, 3, 3000
_NPM_SECONDS = 600


@dataclass(frozen=True)
class Handoff:
    """The migration whose one event the TypeScript producer sends, and the subscription it must change."""

    migration_id: uuid.UUID
    user_id: str
    current_offer: str
    target_offer: str


@dataclass(frozen=True)
class NpmRun:
    live: LiveSubshift
    handoff: Handoff
    result: subprocess.CompletedProcess[str]


def _stage_handoff(live: LiveSubshift) -> tuple[Handoff, dict[str, object]]:
    conn = connect(live.database, application_name="ts-client-test")
    try:
        scenario = new_scenario(conn, offer_count=2)
        user = f"{scenario.prefix}-user"
        seed_subscriptions(conn, [(user, scenario.offers[0])])
        migration_id = stage_migration(conn, [Row(user, scenario.offers[0], scenario.offers[1])],
                                       state=MigrationState.APPLYING)
        with conn.cursor() as cur:
            # Counted as published: the relay publishes nothing of it; the event comes from TypeScript.
            cur.execute("UPDATE migrations SET published = staged, publish_cursor = 2 WHERE id = %s",
                        (str(migration_id),))
            cur.execute("SELECT event_id FROM migration_items WHERE migration_id = %s", (str(migration_id),))
            (event_id,) = cur.fetchone() or (None,)
        conn.commit()
    finally:
        conn.close()
    handoff = Handoff(migration_id, user, scenario.offers[0], scenario.offers[1])
    event = {"event_id": str(event_id), "migration_id": str(migration_id), "user_id": user,
             "current_offer": scenario.offers[0], "target_offer": scenario.offers[1], "row_number": 2}
    return handoff, event


@pytest.fixture(scope="module")
def npm_run(settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[NpmRun]:
    npm = shutil.which("npm")
    assert npm is not None, "npm is not on PATH; install Node.js 20+ (scripts/bootstrap runs `npm ci`)"
    assert (PACKAGE / "node_modules").is_dir(), f"run `npm ci` in {PACKAGE} (scripts/bootstrap does)"
    files = tmp_path_factory.mktemp("ts-client")
    with live_subshift(settings, files) as live:
        catalog = build_catalog(10)
        population = build_population(catalog, subscribers=SUBSCRIBERS, seed=27)
        load_demo_data(live.database, catalog, population)
        moves = write_migration_csv(files / "moves.csv", catalog=catalog, population=population, rows=ROWS,
                                    bad_rows=BAD_ROWS, seed=27)
        handoff, event = _stage_handoff(live)
        expect = {"rows": moves.rows, "good_rows": moves.good_rows, "bad_row_numbers": moves.bad_row_numbers}
        env = {
            **os.environ,
            "SUBSHIFT_API_ADDR": live.addr,
            "SUBSHIFT_TOKEN": live.token("operator"),
            "SUBSHIFT_KAFKA_BOOTSTRAP": live.env["SUBSHIFT_KAFKA_BOOTSTRAP"],
            "SUBSHIFT_KAFKA_TOPIC_PREFIX": live.env["SUBSHIFT_KAFKA_TOPIC_PREFIX"],
            "SUBSHIFT_REGISTRY_URL": live.env["SUBSHIFT_REGISTRY_URL"],
            "SUBSHIFT_TEST_CSV": str(moves.path),
            "SUBSHIFT_TEST_EXPECT": json.dumps(expect),
            "SUBSHIFT_TEST_HANDOFF_EVENT": json.dumps(event),
            "SUBSHIFT_TEST_WORKDIR": str(files),
        }
        result = subprocess.run([npm, "test"], cwd=PACKAGE, env=env, capture_output=True, text=True,
                                timeout=_NPM_SECONDS, check=False)
        conn = connect(live.database, application_name="ts-client-test")
        try:
            # The consumer may still be committing the produced event when npm test ends.
            wait_until(lambda: outcomes_of(conn, handoff.migration_id).get("applied") == 1, timeout=60,
                       what="the TypeScript client's event applied by the Python consumer")
        except AssertionError:
            pass  # reported by the test below, with npm's output
        finally:
            conn.close()
        yield NpmRun(live, handoff, result)


def test_npm_test_passes_against_the_live_service(npm_run: NpmRun) -> None:
    output = npm_run.result.stdout[-12000:] + npm_run.result.stderr[-4000:]
    assert npm_run.result.returncode == 0, output
    assert "# fail 0" in npm_run.result.stdout, output


def test_the_event_produced_in_typescript_is_applied_by_the_python_consumer(npm_run: NpmRun) -> None:
    conn = connect(npm_run.live.database, application_name="ts-client-test")
    try:
        assert outcomes_of(conn, npm_run.handoff.migration_id) == {"applied": 1}
        assert offers_of(conn, [npm_run.handoff.user_id])[npm_run.handoff.user_id][0] == npm_run.handoff.target_offer
    finally:
        conn.close()
