"""The sync and the asyncio client pass the same journey against a live Subshift (API, relay and consumer on the
real stack): upload, watch to the end, read items, export; and the server's log names the client's version."""

from __future__ import annotations

import asyncio
import csv
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from client_package.live import LiveSubshift, live_subshift
from subshift.config import Settings
from subshift_client import AsyncSubshiftClient, SubshiftClient, UnauthenticatedError, __version__
from subshift_client.migration_v1 import ItemOutcome, MigrationState
from subshift_tooling.seeding import CsvSummary, build_catalog, build_population, load_demo_data, write_migration_csv

pytestmark = pytest.mark.integration

SUBSCRIBERS, ROWS, BAD_ROWS = 2000, 200, 3


@dataclass(frozen=True)
class Journey:
    """What one client saw: the upload's counts, every watched state, applied items, the export."""

    moves: CsvSummary
    staged: int
    rejected: int
    states: list[int]
    applied: int
    items: list[tuple[int, str, int]]
    exported_rows: int
    live: LiveSubshift


def _sync_journey(live: LiveSubshift, moves: CsvSummary, results: Path) -> dict[str, object]:
    with SubshiftClient(live.addr, token=live.token("operator"), timeout=60.0) as client:
        created = client.create_migration(moves.path, description="sync journey", max_rejected_rows=BAD_ROWS)
        migration_id = created.migration.migration_id
        states = [snapshot.state for snapshot in client.watch(migration_id, idle_timeout=120.0)]
        final = client.get_migration(migration_id)
        items = [(i.row_number, i.user_id, i.outcome)
                 for i in client.list_items(migration_id, outcome=ItemOutcome.ITEM_OUTCOME_APPLIED, limit=5)]
        client.export_results(migration_id, results)
    return {"staged": created.migration.counts.staged, "rejected": created.report.rows_rejected, "states": states,
            "applied": final.counts.applied, "items": items}


async def _async_journey(live: LiveSubshift, moves: CsvSummary, results: Path) -> dict[str, object]:
    async with AsyncSubshiftClient(live.addr, token=live.token("operator"), timeout=60.0) as client:
        created = await client.create_migration(moves.path, description="async journey", max_rejected_rows=BAD_ROWS)
        migration_id = created.migration.migration_id
        states = [snapshot.state async for snapshot in client.watch(migration_id, idle_timeout=120.0)]
        final = await client.get_migration(migration_id)
        items = [(i.row_number, i.user_id, i.outcome)
                 async for i in client.list_items(migration_id, outcome=ItemOutcome.ITEM_OUTCOME_APPLIED, limit=5)]
        await client.export_results(migration_id, results)
    return {"staged": created.migration.counts.staged, "rejected": created.report.rows_rejected, "states": states,
            "applied": final.counts.applied, "items": items}


@pytest.fixture(scope="module", params=["sync", "async"])
def journey(request: pytest.FixtureRequest, settings: Settings,
            tmp_path_factory: pytest.TempPathFactory) -> Iterator[Journey]:
    files = tmp_path_factory.mktemp(f"{request.param}-journey")
    with live_subshift(settings, files) as live:
        catalog = build_catalog(10)
        population = build_population(catalog, subscribers=SUBSCRIBERS, seed=11)
        load_demo_data(live.database, catalog, population)
        moves = write_migration_csv(files / "moves.csv", catalog=catalog, population=population, rows=ROWS,
                                    bad_rows=BAD_ROWS, seed=11)
        results = files / "results.csv"
        seen = (_sync_journey(live, moves, results) if request.param == "sync"
                else asyncio.run(_async_journey(live, moves, results)))
        with results.open(newline="", encoding="utf-8") as exported:
            exported_rows = sum(1 for _ in csv.reader(exported)) - 1
        yield Journey(moves=moves, exported_rows=exported_rows, live=live, **seen)  # type: ignore[arg-type]


def test_the_upload_stages_the_good_rows_and_rejects_the_bad(journey: Journey) -> None:
    assert (journey.staged, journey.rejected) == (journey.moves.good_rows, BAD_ROWS)


def test_the_watch_ends_at_the_terminal_state_without_repeating_a_snapshot(journey: Journey) -> None:
    assert journey.states[-1] == MigrationState.MIGRATION_STATE_SUCCEEDED
    assert MigrationState.MIGRATION_STATE_SUCCEEDED not in journey.states[:-1]


def test_every_good_row_is_applied(journey: Journey) -> None:
    assert journey.applied == journey.moves.good_rows


def test_items_list_applied_rows_in_row_order(journey: Journey) -> None:
    assert len(journey.items) == 5
    assert [row for row, _, _ in journey.items] == sorted(row for row, _, _ in journey.items)
    assert {outcome for _, _, outcome in journey.items} == {ItemOutcome.ITEM_OUTCOME_APPLIED}


def test_the_export_has_every_row(journey: Journey) -> None:
    assert journey.exported_rows == ROWS


def test_the_server_log_names_the_client_version(journey: Journey) -> None:
    with SubshiftClient(journey.live.addr, token="not-a-token") as client, pytest.raises(UnauthenticatedError):
        client.get_migration("00000000-0000-0000-0000-000000000000")
    lines = [json.loads(line) for line in journey.live.log.read_text().splitlines() if line.startswith("{")]
    refused = [line for line in lines if line.get("event") == "unauthenticated"]
    assert refused and refused[-1]["client"].startswith(f"subshift-client-python/{__version__} ")
