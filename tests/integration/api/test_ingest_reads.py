"""Get, List, ListItems, Export and Watch on the real server."""

from __future__ import annotations

import csv
import io
import threading
import uuid
from typing import Any

import grpc
import pytest

from api.uploads import Token, bad_request, fresh_users, rows, upload
from subshift.api.auth import Role
from subshift_client import migration_v1 as pb
from subshift_client.topics import USER_OFFERS


@pytest.fixture
def migration(stub: Any, token: Token) -> pb.Migration:
    users = fresh_users(5)
    csv_rows = [f"{user},basic,gold" for user in users] + ["=2+5,basic,gold", "@cmd,basic,gold"]
    return upload(stub, token, rows(*csv_rows), max_rejected_rows=2).migration


def test_get_returns_the_migration(stub: Any, token: Token, migration: pb.Migration) -> None:
    got = stub.GetMigration(pb.GetMigrationRequest(migration_id=migration.migration_id),
                            metadata=token(Role.VIEWER)).migration
    assert got == migration


@pytest.mark.parametrize(("migration_id", "code"), [
    (str(uuid.UUID(int=1)), grpc.StatusCode.NOT_FOUND),
    ("not-a-uuid", grpc.StatusCode.INVALID_ARGUMENT),
])
def test_get_of_a_missing_or_malformed_id(stub: Any, token: Token, migration_id: str, code: grpc.StatusCode) -> None:
    with pytest.raises(grpc.RpcError) as raised:
        stub.GetMigration(pb.GetMigrationRequest(migration_id=migration_id), metadata=token(Role.VIEWER))
    assert raised.value.code() == code


def test_list_pages_newest_first_without_gaps(stub: Any, token: Token) -> None:
    created = [upload(stub, token, rows(f"{fresh_users(1)[0]},basic,gold")).migration.migration_id
               for _ in range(3)]
    seen: list[pb.Migration] = []
    page_token = ""
    while True:
        page = stub.ListMigrations(pb.ListMigrationsRequest(page_size=2, page_token=page_token),
                                   metadata=token(Role.VIEWER))
        assert len(page.migrations) <= 2
        seen.extend(page.migrations)
        page_token = page.next_page_token
        if not page_token:
            break
    ids = [m.migration_id for m in seen]
    assert len(ids) == len(set(ids))
    assert ids[:3] == list(reversed(created))
    times = [m.create_time.ToDatetime() for m in seen]
    assert times == sorted(times, reverse=True)


def test_list_filters_by_state(stub: Any, token: Token) -> None:
    with pytest.raises(grpc.RpcError):
        upload(stub, token, rows("bad user,basic,gold"))
    page = stub.ListMigrations(pb.ListMigrationsRequest(state=pb.MigrationState.MIGRATION_STATE_REJECTED),
                               metadata=token(Role.VIEWER))
    assert page.migrations and all(m.state == pb.MigrationState.MIGRATION_STATE_REJECTED for m in page.migrations)


@pytest.mark.parametrize("request_", [
    pb.ListMigrationsRequest(page_token="garbage"),
    pb.ListMigrationsRequest(page_size=-1),
    pb.ListMigrationsRequest(state=99),
], ids=["bad_token", "negative_page_size", "unknown_state"])
def test_list_refuses_bad_arguments(stub: Any, token: Token, request_: pb.ListMigrationsRequest) -> None:
    with pytest.raises(grpc.RpcError) as raised:
        stub.ListMigrations(request_, metadata=token(Role.VIEWER))
    assert raised.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert bad_request(raised.value)


def test_list_token_of_another_filter_is_refused(stub: Any, token: Token, migration: pb.Migration) -> None:
    first = stub.ListMigrations(pb.ListMigrationsRequest(page_size=1), metadata=token(Role.VIEWER))
    with pytest.raises(grpc.RpcError) as raised:
        stub.ListMigrations(pb.ListMigrationsRequest(page_size=1, page_token=first.next_page_token,
                                                     state=pb.MigrationState.MIGRATION_STATE_PENDING),
                            metadata=token(Role.VIEWER))
    assert raised.value.code() == grpc.StatusCode.INVALID_ARGUMENT


def test_items_page_in_row_order_with_lineage(stub: Any, token: Token, db: Any, migration: pb.Migration) -> None:
    with db.cursor() as cursor:  # what the relay records once the broker acknowledged row 2
        cursor.execute("UPDATE migration_items SET published_at = now(), kafka_partition = 3, kafka_offset = 41 "
                       "WHERE migration_id = %s AND row_number = 2", (migration.migration_id,))
    items: list[pb.MigrationItem] = []
    page_token = ""
    while True:
        page = stub.ListMigrationItems(pb.ListMigrationItemsRequest(migration_id=migration.migration_id,
                                                                    page_size=3, page_token=page_token),
                                       metadata=token(Role.VIEWER))
        assert page.total_size == 7
        items.extend(page.items)
        page_token = page.next_page_token
        if not page_token:
            break
    assert [item.row_number for item in items] == list(range(2, 9))
    assert items[0].position == pb.KafkaPosition(topic=USER_OFFERS.name, partition=3, offset=41)
    assert items[0].event_id and items[0].HasField("publish_time")
    assert items[-1].outcome == pb.ItemOutcome.ITEM_OUTCOME_REJECTED and items[-1].column == "user_id"
    assert items[-1].event_id == ""


def test_items_filter_by_outcome(stub: Any, token: Token, migration: pb.Migration) -> None:
    page = stub.ListMigrationItems(pb.ListMigrationItemsRequest(
        migration_id=migration.migration_id, outcome=pb.ItemOutcome.ITEM_OUTCOME_REJECTED),
        metadata=token(Role.VIEWER))
    assert [item.row_number for item in page.items] == [7, 8] and page.total_size == 2
    pending = stub.ListMigrationItems(pb.ListMigrationItemsRequest(
        migration_id=migration.migration_id, outcome=pb.ItemOutcome.ITEM_OUTCOME_PENDING),
        metadata=token(Role.VIEWER))
    assert pending.total_size == 5


def test_items_of_a_missing_migration(stub: Any, token: Token) -> None:
    with pytest.raises(grpc.RpcError) as raised:
        stub.ListMigrationItems(pb.ListMigrationItemsRequest(migration_id=str(uuid.UUID(int=2))),
                                metadata=token(Role.VIEWER))
    assert raised.value.code() == grpc.StatusCode.NOT_FOUND


def test_export_streams_every_row_with_formula_cells_neutralised(stub: Any, token: Token,
                                                                 migration: pb.Migration) -> None:
    chunks = stub.ExportMigrationResults(pb.ExportMigrationResultsRequest(migration_id=migration.migration_id),
                                         metadata=token(Role.VIEWER))
    table = list(csv.reader(io.StringIO(b"".join(chunk.csv_chunk for chunk in chunks).decode())))
    assert table[0][:5] == ["row_number", "user_id", "current_offer", "target_offer", "outcome"]
    assert len(table) == 8
    assert [row[1] for row in table[-2:]] == ["'=2+5", "'@cmd"]
    assert all(not cell.startswith(("=", "+", "-", "@")) for row in table for cell in row)


def test_export_of_a_missing_migration(stub: Any, token: Token) -> None:
    with pytest.raises(grpc.RpcError) as raised:
        list(stub.ExportMigrationResults(pb.ExportMigrationResultsRequest(migration_id=str(uuid.UUID(int=3))),
                                         metadata=token(Role.VIEWER)))
    assert raised.value.code() == grpc.StatusCode.NOT_FOUND


def test_watch_sends_the_current_snapshot_then_changes_until_terminal(stub: Any, token: Token, db: Any,
                                                                      migration: pb.Migration) -> None:
    stream = stub.WatchMigration(pb.WatchMigrationRequest(migration_id=migration.migration_id),
                                 metadata=token(Role.VIEWER), timeout=30)
    first = next(stream).migration
    assert first == migration
    with db.cursor() as cursor:  # the relay's progress
        cursor.execute("UPDATE migrations SET state = 'publishing', published = 2 WHERE id = %s",
                       (migration.migration_id,))
    second = next(stream).migration
    assert (second.state, second.counts.published) == (pb.MigrationState.MIGRATION_STATE_PUBLISHING, 2)
    threading.Timer(0.2, lambda: stub.CancelMigration(
        pb.CancelMigrationRequest(migration_id=migration.migration_id), metadata=token(Role.OPERATOR))).start()
    rest = [message.migration for message in stream]
    assert rest[-1].state == pb.MigrationState.MIGRATION_STATE_CANCELLED


def test_watch_of_a_finished_migration_sends_one_snapshot(stub: Any, token: Token, migration: pb.Migration) -> None:
    stub.CancelMigration(pb.CancelMigrationRequest(migration_id=migration.migration_id), metadata=token(Role.OPERATOR))
    snapshots = list(stub.WatchMigration(pb.WatchMigrationRequest(migration_id=migration.migration_id),
                                         metadata=token(Role.VIEWER), timeout=30))
    assert len(snapshots) == 1


def test_watch_of_a_missing_migration(stub: Any, token: Token) -> None:
    with pytest.raises(grpc.RpcError) as raised:
        list(stub.WatchMigration(pb.WatchMigrationRequest(migration_id=str(uuid.UUID(int=4))),
                                 metadata=token(Role.VIEWER)))
    assert raised.value.code() == grpc.StatusCode.NOT_FOUND
