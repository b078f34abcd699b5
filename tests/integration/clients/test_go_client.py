"""The Go client (clients/go) passes `go test ./...` against a live Subshift on the real stack: every golden wire
fixture decodes; a 1,000-row migration with 3 bad rows runs through the API (violations, watch, counts, items,
export, revert); its events come back from Kafka through the registry; and one event it produces is applied by
the Python consumer."""

from __future__ import annotations

import csv
import json
import re
import shutil
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from client_package.live import LiveSubshift, live_subshift
from pipeline.seeding import Row, new_scenario, offers_of, outcomes_of, seed_subscriptions, stage_migration

from subshift.config import Settings
from subshift.db.connect import connect
from subshift.db.models import MigrationState
from subshift_tooling.seeding import build_catalog, build_population, load_demo_data, write_migration_csv

from .go_toolchain import GO_CLIENT, REPO, passed_tests, run_go

pytestmark = pytest.mark.integration

SUBSCRIBERS, ROWS, BAD_ROWS = 2000, 1000, 3
README_ROWS = 50
_EXAMPLE = re.compile(r"<!-- go client example:[^\n]*-->\n```go\n(.*?)```", re.DOTALL)
_APPLY_SECONDS = 120.0  # liveness bound for the consumer to apply one event; generous on shared cores


@dataclass(frozen=True)
class GoRun:
    output: str
    returncode: int
    passed: set[str]
    staged_user: str
    offers: tuple[str, str]
    staged_migration: uuid.UUID
    live: LiveSubshift
    readme_csv: Path


@pytest.fixture(scope="module")
def go_run(settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[GoRun]:
    files = tmp_path_factory.mktemp("go-client")
    with live_subshift(settings, files) as live:
        catalog = build_catalog(10)
        population = build_population(catalog, subscribers=SUBSCRIBERS, seed=27)
        load_demo_data(live.database, catalog, population)
        moves = write_migration_csv(files / "moves.csv", catalog=catalog, population=population, rows=ROWS,
                                    bad_rows=BAD_ROWS, seed=27)
        readme_dir = files / "readme"
        readme_dir.mkdir()
        write_migration_csv(readme_dir / "moves.csv", catalog=catalog, population=population, rows=README_ROWS,
                            bad_rows=1, seed=28)
        pg = connect(live.database, application_name="go-client-test")
        try:
            # One row staged as the API stages it, in a state the relay leaves alone: its event is the Go test's.
            scenario = new_scenario(pg)
            current, target = scenario.offers[0], scenario.offers[1]
            user = f"{scenario.prefix}-go"
            seed_subscriptions(pg, [(user, current)])
            migration_id = stage_migration(pg, [Row(user, current, target)], state=MigrationState.APPLYING)
            with pg.cursor() as cur:
                cur.execute("SELECT event_id FROM migration_items WHERE migration_id = %s", (str(migration_id),))
                (event_id,) = cur.fetchone()
            pg.rollback()
            env = {
                "SUBSHIFT_API_ADDR": live.addr,
                "SUBSHIFT_TOKEN": live.token("operator"),
                "SUBSHIFT_KAFKA_BOOTSTRAP": live.env["SUBSHIFT_KAFKA_BOOTSTRAP"],
                "SUBSHIFT_KAFKA_TOPIC_PREFIX": live.env["SUBSHIFT_KAFKA_TOPIC_PREFIX"],
                "SUBSHIFT_REGISTRY_URL": live.env["SUBSHIFT_REGISTRY_URL"],
                "SUBSHIFT_FIXTURES_DIR": str(REPO / "compat_tests" / "fixtures"),
                "SUBSHIFT_GO_MOVES_CSV": str(moves.path),
                "SUBSHIFT_GO_MOVES_ROWS": str(moves.rows),
                "SUBSHIFT_GO_BAD_ROWS": ",".join(str(row) for row in moves.bad_row_numbers),
                "SUBSHIFT_GO_EVENT": json.dumps({
                    "EventID": str(event_id), "MigrationID": str(migration_id), "UserID": user,
                    "CurrentOffer": current, "TargetOffer": target, "RowNumber": 2}),
            }
            done = run_go(["test", "-count=1", "-v", "./..."], cwd=GO_CLIENT, env=env)
            output = done.stdout + done.stderr
            (files / "go-test.log").write_text(output, encoding="utf-8")
            yield GoRun(output=output, returncode=done.returncode, passed=passed_tests(output), staged_user=user,
                        offers=(current, target), staged_migration=migration_id, live=live,
                        readme_csv=readme_dir / "moves.csv")
        finally:
            pg.close()


def _tail(run: GoRun) -> str:
    return run.output[-6000:]


def test_go_test_passes(go_run: GoRun) -> None:
    assert go_run.returncode == 0, _tail(go_run)


@pytest.mark.parametrize("name", [
    "TestEveryProtobufFixtureDecodesToItsRecordedValues",
    "TestEveryAvroFixtureDecodesThroughTheRegistryIntoTheGeneratedStruct",
])
def test_every_golden_fixture_decodes_in_go(go_run: GoRun, name: str) -> None:
    assert name in go_run.passed, _tail(go_run)


def test_the_live_migration_runs_through_the_go_client(go_run: GoRun) -> None:
    assert "TestLiveMigration" in go_run.passed, _tail(go_run)


def test_the_go_consumer_decodes_the_migrations_events_from_kafka(go_run: GoRun) -> None:
    assert "TestLiveMigration/its_events_decode_from_Kafka_through_the_registry" in go_run.passed, _tail(go_run)


def test_an_event_produced_in_go_is_applied_by_the_python_consumer(go_run: GoRun) -> None:
    assert "TestProducedEventIsAppliedByThePythonConsumer" in go_run.passed, _tail(go_run)
    pg = connect(go_run.live.database, application_name="go-client-test")
    try:
        deadline = time.monotonic() + _APPLY_SECONDS
        outcomes = outcomes_of(pg, go_run.staged_migration)
        while outcomes != {"applied": 1} and time.monotonic() < deadline:
            time.sleep(0.5)
            outcomes = outcomes_of(pg, go_run.staged_migration)
        assert outcomes == {"applied": 1}
        assert offers_of(pg, [go_run.staged_user])[go_run.staged_user][0] == go_run.offers[1]
    finally:
        pg.close()



def _readme_example() -> str:
    match = _EXAMPLE.search((GO_CLIENT / "README.md").read_text(encoding="utf-8"))
    assert match, "clients/go/README.md lost its '<!-- go client example: … -->' go block"
    return match.group(1)


def test_the_readme_example_runs_as_written_from_another_module(go_run: GoRun) -> None:
    # A module of its own that requires the client, as another repository would (the replace points at this
    # checkout instead of the module proxy); the example is written to main.go unchanged.
    app = go_run.readme_csv.parent
    (app / "main.go").write_text(_readme_example(), encoding="utf-8")
    (app / "go.mod").write_text(
        "module example.com/readme\n\ngo 1.26\n\n"
        "require github.com/subshift/subshift/clients/go v0.3.0\n\n"
        f"replace github.com/subshift/subshift/clients/go => {GO_CLIENT}\n", encoding="utf-8")
    shutil.copy(GO_CLIENT / "go.sum", app / "go.sum")
    env = {"SUBSHIFT_API_ADDR": go_run.live.addr, "SUBSHIFT_TOKEN": go_run.live.token("operator"),
           "GOFLAGS": "-mod=mod"}
    done = run_go(["run", "."], cwd=app, env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert re.search(r"^skipped row \d+ \(\w+\): ", done.stdout, re.MULTILINE), done.stdout
    assert re.search(r"^MIGRATION_STATE_SUCCEEDED(_WITH_ERRORS)?: \d+ applied$", done.stdout, re.MULTILINE), done.stdout
    with (app / "results.csv").open(newline="", encoding="utf-8") as exported:
        assert sum(1 for _ in csv.reader(exported)) == README_ROWS + 1
