"""What `subshift migrate` prints for scripts (JSON views) and how failures become exit codes."""

from __future__ import annotations

import io

import grpc
import pytest
import typer
from google.protobuf.timestamp_pb2 import Timestamp
from rich.console import Console

from subshift.console.failures import api_failures, exit_code_for_state
from subshift.console.tables import migration_table
from subshift.console.views import item_view, migration_view
from subshift_client import SubshiftClient
from subshift_client.api_errors import ApiError, InvalidArgumentError, RowViolation, UnavailableError
from subshift_client.migration_v1 import ItemOutcome, KafkaPosition, Migration, MigrationCounts, MigrationItem
from subshift_client.migration_v1 import MigrationState as S


def test_migration_json_has_numbers_and_short_state_names() -> None:
    migration = Migration(migration_id="m", state=S.MIGRATION_STATE_SUCCEEDED_WITH_ERRORS,
                          counts=MigrationCounts(rows_received=10, applied=8, conflicts=2))
    view = migration_view(migration)
    assert view["state"] == "succeeded_with_errors"
    assert view["counts"] == {"rows_received": 10, "rows_rejected": 0, "staged": 0, "published": 0, "applied": 8,
                              "skipped": 0, "conflicts": 2, "not_found": 0, "cancelled": 0, "dead_lettered": 0}
    assert view["complete_time"] is None and view["items_purge_time"] is None


def test_migration_views_say_when_its_rows_were_purged() -> None:
    migration = Migration(migration_id="m", state=S.MIGRATION_STATE_SUCCEEDED,
                          items_purge_time=Timestamp(seconds=1_800_000_000))
    assert migration_view(migration)["items_purge_time"] == "2027-01-15T08:00:00Z"
    out = io.StringIO()
    Console(file=out, width=120).print(migration_table(migration))
    assert "rows purged" in out.getvalue() and "2027-01-15" in out.getvalue()


def test_item_json_shows_its_kafka_lineage_only_once_published() -> None:
    published = MigrationItem(row_number=2, outcome=ItemOutcome.ITEM_OUTCOME_APPLIED,
                              position=KafkaPosition(topic="user-offers", partition=3, offset=41))
    assert item_view(published)["position"] == {"topic": "user-offers", "partition": 3, "offset": 41}
    assert item_view(published)["outcome"] == "applied"
    assert item_view(MigrationItem(row_number=3))["position"] is None


@pytest.mark.parametrize(("state", "code"), [
    (S.MIGRATION_STATE_SUCCEEDED, 0), (S.MIGRATION_STATE_SUCCEEDED_WITH_ERRORS, 0), (S.MIGRATION_STATE_APPLYING, 0),
    (S.MIGRATION_STATE_REJECTED, 1), (S.MIGRATION_STATE_FAILED, 1), (S.MIGRATION_STATE_CANCELLED, 1),
])
def test_exit_code_follows_how_the_migration_ended(state: S.ValueType, code: int) -> None:
    assert exit_code_for_state(state) == code


@pytest.mark.parametrize(("error", "code"), [
    (UnavailableError("failed to connect to all addresses; last error: Connection refused",
                      code=grpc.StatusCode.UNAVAILABLE), 3),
    (ApiError("too slow", code=grpc.StatusCode.DEADLINE_EXCEEDED), 3),
    (ApiError("no", code=grpc.StatusCode.PERMISSION_DENIED), 1),
])
def test_failures_exit_3_when_unavailable_else_1(error: ApiError, code: int) -> None:
    console = Console(record=True, width=120)
    with pytest.raises(typer.Exit) as exited, api_failures(console):
        raise error
    assert exited.value.exit_code == code
    assert console.export_text().startswith("error:")


def test_a_rejected_upload_is_a_sentence_and_a_table_of_rows() -> None:
    console = Console(record=True, width=120)
    error = InvalidArgumentError("2 rows broke rules", code=grpc.StatusCode.INVALID_ARGUMENT, violations=(
        RowViolation(row=7, column="target_offer", rule="unknown_offer", message="offer X is not in the catalog"),),
        violations_total=2)
    with pytest.raises(typer.Exit), api_failures(console):
        raise error
    text = console.export_text()
    assert text.splitlines()[0] == "error: 2 rows broke rules (invalid_argument)"
    assert "unknown_offer" in text and "offer X is not in the catalog" in text and "2 in all" in text


def test_a_client_side_refusal_is_a_sentence_and_exit_2() -> None:
    console = Console(record=True, width=160)
    with pytest.raises(typer.Exit) as exited, api_failures(console):
        SubshiftClient("10.1.2.3:50051", token="secret")
    assert exited.value.exit_code == 2
    assert "refusing to send the bearer token in clear text" in console.export_text()
