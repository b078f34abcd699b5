"""A migration whose items were purged: its reads of items answer FAILED_PRECONDITION with the date;
its counts remain; a revert of it is refused."""

from __future__ import annotations

import uuid
from typing import Any

import grpc
import pytest

from api.uploads import Token, fetch, fresh_users, rows, upload
from subshift.api.auth import Role
from subshift.lifecycle import purge_items
from subshift.lifecycle.storage import items_table
from subshift_client import migration_v1 as pb


def _purged_migration(stub: Any, token: Token, db: Any) -> str:
    users = fresh_users(3)
    migration = upload(stub, token, rows(*(f"{user},basic,gold" for user in users))).migration
    stub.CancelMigration(pb.CancelMigrationRequest(migration_id=migration.migration_id),
                         metadata=token(Role.OPERATOR))
    with db.cursor() as cursor:
        purge_items(cursor, uuid.UUID(migration.migration_id))
    return str(migration.migration_id)


def test_list_items_of_a_purged_migration_is_failed_precondition_naming_the_date(
        stub: Any, token: Token, db: Any) -> None:
    migration_id = _purged_migration(stub, token, db)
    [(purged_on,)] = fetch(db, "SELECT items_purged_at::date::text FROM migrations WHERE id = %s", migration_id)
    with pytest.raises(grpc.RpcError) as raised:
        stub.ListMigrationItems(pb.ListMigrationItemsRequest(migration_id=migration_id),
                                metadata=token(Role.VIEWER))
    assert raised.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert f"purged on {purged_on}" in str(raised.value.details())
    assert "counts remain" in str(raised.value.details())


def test_export_of_a_purged_migration_is_failed_precondition(stub: Any, token: Token, db: Any) -> None:
    migration_id = _purged_migration(stub, token, db)
    with pytest.raises(grpc.RpcError) as raised:
        list(stub.ExportMigrationResults(pb.ExportMigrationResultsRequest(migration_id=migration_id),
                                         metadata=token(Role.VIEWER)))
    assert raised.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert "purged on" in str(raised.value.details())


def test_a_purged_migration_keeps_its_state_and_counts_and_says_when_its_items_went(
        stub: Any, token: Token, db: Any) -> None:
    kept = upload(stub, token, rows(f"{fresh_users(1)[0]},basic,gold")).migration
    assert not kept.HasField("items_purge_time")
    migration_id = _purged_migration(stub, token, db)
    migration = stub.GetMigration(pb.GetMigrationRequest(migration_id=migration_id),
                                  metadata=token(Role.VIEWER)).migration
    assert migration.state == pb.MigrationState.MIGRATION_STATE_CANCELLED
    assert (migration.counts.staged, migration.counts.cancelled) == (3, 3)
    assert fetch(db, "SELECT to_regclass(%s)", items_table(uuid.UUID(migration_id))) == [(None,)]
    [(purged_at,)] = fetch(db, "SELECT items_purged_at FROM migrations WHERE id = %s", migration_id)
    assert migration.HasField("items_purge_time") and migration.items_purge_time.ToDatetime(
        tzinfo=purged_at.tzinfo) == purged_at


def test_a_purged_migration_cannot_be_reverted(stub: Any, token: Token, db: Any) -> None:
    migration_id = _purged_migration(stub, token, db)
    with pytest.raises(grpc.RpcError) as raised:
        stub.RevertMigration(pb.RevertMigrationRequest(migration_id=migration_id), metadata=token(Role.OPERATOR))
    assert raised.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert "purged on" in str(raised.value.details())
