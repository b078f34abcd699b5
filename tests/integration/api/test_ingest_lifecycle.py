"""Cancel and Revert on the real server, and the audit record each mutating call leaves."""

from __future__ import annotations

import uuid
from typing import Any

import grpc
import pytest

from api.uploads import Token, fetch, fresh_users, rows, upload
from subshift.api.auth import Role
from subshift_client import migration_v1 as pb


def _apply(db: Any, migration_id: str, rows_applied: int) -> None:
    """What the consumer records: the first rows applied (previous offer kept), the migration finished."""
    with db.cursor() as cursor:
        cursor.execute("UPDATE migration_items SET outcome = 'applied', previous_offer = current_offer, "
                       "outcome_at = now() WHERE migration_id = %s AND row_number <= %s",
                       (migration_id, rows_applied + 1))
        cursor.execute("UPDATE migration_items SET outcome = 'conflict', reason = 'on another offer', "
                       "outcome_at = now() WHERE migration_id = %s AND outcome = 'pending'", (migration_id,))
        cursor.execute("UPDATE migrations SET applied = %s, conflicts = staged - %s, published = staged, "
                       "state = 'succeeded_with_errors', completed_at = now() WHERE id = %s",
                       (rows_applied, rows_applied, migration_id))


def test_cancel_cancels_pending_items_and_is_audited(stub: Any, token: Token, db: Any) -> None:
    users = fresh_users(4)
    migration = upload(stub, token, rows(*(f"{user},basic,gold" for user in users))).migration
    cancelled = stub.CancelMigration(pb.CancelMigrationRequest(migration_id=migration.migration_id,
                                                               reason="wrong file"),
                                     metadata=token(Role.OPERATOR, subject="carol")).migration
    assert cancelled.state == pb.MigrationState.MIGRATION_STATE_CANCELLED
    assert cancelled.counts.cancelled == 4 and cancelled.HasField("complete_time")
    assert "carol" in cancelled.state_reason and "wrong file" in cancelled.state_reason
    assert fetch(db, "SELECT DISTINCT outcome FROM migration_items WHERE migration_id = %s",
                 migration.migration_id) == [("cancelled",)]
    assert fetch(db, "SELECT subject, outcome FROM audit_log WHERE method = 'CancelMigration' AND migration_id = %s",
                 migration.migration_id) == [("carol", "OK")]


def test_cancel_of_a_finished_migration_is_failed_precondition(stub: Any, token: Token, db: Any) -> None:
    migration = upload(stub, token, rows(f"{fresh_users(1)[0]},basic,gold")).migration
    request = pb.CancelMigrationRequest(migration_id=migration.migration_id)
    stub.CancelMigration(request, metadata=token(Role.OPERATOR))
    with pytest.raises(grpc.RpcError) as raised:
        stub.CancelMigration(request, metadata=token(Role.OPERATOR))
    assert raised.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert "already cancelled" in raised.value.details()
    assert ("FAILED_PRECONDITION",) in fetch(db, "SELECT outcome FROM audit_log WHERE method = 'CancelMigration' "
                                                 "AND migration_id = %s", migration.migration_id)


def test_cancel_of_a_missing_migration_is_not_found(stub: Any, token: Token) -> None:
    with pytest.raises(grpc.RpcError) as raised:
        stub.CancelMigration(pb.CancelMigrationRequest(migration_id=str(uuid.UUID(int=5))),
                             metadata=token(Role.OPERATOR))
    assert raised.value.code() == grpc.StatusCode.NOT_FOUND


def test_revert_moves_every_applied_user_back(stub: Any, token: Token, db: Any) -> None:
    users = fresh_users(3)
    source = upload(stub, token, rows(f"{users[0]},basic,gold", f"{users[1]},premium,gold",
                                      f"{users[2]},basic,gold")).migration
    _apply(db, source.migration_id, rows_applied=2)
    key = f"revert-{users[0]}"
    revert = stub.RevertMigration(pb.RevertMigrationRequest(migration_id=source.migration_id, request_id=key),
                                  metadata=token(Role.OPERATOR)).migration
    assert revert.state == pb.MigrationState.MIGRATION_STATE_PENDING
    assert revert.reverts_migration_id == source.migration_id and revert.counts.staged == 2
    assert fetch(db, "SELECT row_number, user_id, current_offer, target_offer, event_id IS NOT NULL "
                     "FROM migration_items WHERE migration_id = %s ORDER BY row_number", revert.migration_id) == [
        (2, users[0], "gold", "basic", True), (3, users[1], "gold", "premium", True)]
    again = stub.RevertMigration(pb.RevertMigrationRequest(migration_id=source.migration_id, request_id=key),
                                 metadata=token(Role.OPERATOR)).migration
    assert again.migration_id == revert.migration_id
    assert fetch(db, "SELECT count(*) FROM audit_log WHERE method = 'RevertMigration' AND migration_id = %s",
                 revert.migration_id) == [(2,)]


def test_revert_key_reused_for_another_source_is_already_exists(stub: Any, token: Token, db: Any) -> None:
    first, second = (upload(stub, token, rows(f"{fresh_users(1)[0]},basic,gold")).migration for _ in range(2))
    for migration in (first, second):
        _apply(db, migration.migration_id, rows_applied=1)
    key = f"revert-{uuid.uuid4()}"
    stub.RevertMigration(pb.RevertMigrationRequest(migration_id=first.migration_id, request_id=key),
                         metadata=token(Role.OPERATOR))
    with pytest.raises(grpc.RpcError) as raised:
        stub.RevertMigration(pb.RevertMigrationRequest(migration_id=second.migration_id, request_id=key),
                             metadata=token(Role.OPERATOR))
    assert raised.value.code() == grpc.StatusCode.ALREADY_EXISTS


@pytest.mark.parametrize("finish", [False, True], ids=["source_still_pending", "source_applied_nothing"])
def test_revert_needs_a_finished_source_that_applied_something(stub: Any, token: Token, db: Any,
                                                               finish: bool) -> None:
    source = upload(stub, token, rows(f"{fresh_users(1)[0]},basic,gold")).migration
    if finish:
        stub.CancelMigration(pb.CancelMigrationRequest(migration_id=source.migration_id),
                             metadata=token(Role.OPERATOR))
    with pytest.raises(grpc.RpcError) as raised:
        stub.RevertMigration(pb.RevertMigrationRequest(migration_id=source.migration_id),
                             metadata=token(Role.OPERATOR))
    assert raised.value.code() == grpc.StatusCode.FAILED_PRECONDITION


def test_a_migration_already_reverted_is_not_reverted_again(stub: Any, token: Token, db: Any) -> None:
    source = upload(stub, token, rows(f"{fresh_users(1)[0]},basic,gold")).migration
    _apply(db, source.migration_id, rows_applied=1)
    first = stub.RevertMigration(pb.RevertMigrationRequest(migration_id=source.migration_id),
                                 metadata=token(Role.OPERATOR)).migration
    with pytest.raises(grpc.RpcError) as raised:
        stub.RevertMigration(pb.RevertMigrationRequest(migration_id=source.migration_id),
                             metadata=token(Role.OPERATOR))
    assert raised.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert f"already reverted by migration {first.migration_id}" in (raised.value.details() or "")
    # Once that revert is cancelled, the source may be reverted again.
    stub.CancelMigration(pb.CancelMigrationRequest(migration_id=first.migration_id), metadata=token(Role.OPERATOR))
    again = stub.RevertMigration(pb.RevertMigrationRequest(migration_id=source.migration_id),
                                 metadata=token(Role.OPERATOR)).migration
    assert again.reverts_migration_id == source.migration_id


def test_revert_of_a_missing_migration_is_not_found(stub: Any, token: Token) -> None:
    with pytest.raises(grpc.RpcError) as raised:
        stub.RevertMigration(pb.RevertMigrationRequest(migration_id=str(uuid.UUID(int=6))),
                             metadata=token(Role.OPERATOR))
    assert raised.value.code() == grpc.StatusCode.NOT_FOUND


def test_uploads_are_audited_with_subject_and_outcome(stub: Any, token: Token, db: Any) -> None:
    users = fresh_users(1)
    key = f"req-{users[0]}"
    stub.CreateMigration(iter([pb.CreateMigrationRequest(header=pb.MigrationHeader(request_id=key)),
                               pb.CreateMigrationRequest(csv_chunk=rows(f"{users[0]},basic,gold"))]),
                         metadata=token(Role.OPERATOR, subject="dave"))
    with pytest.raises(grpc.RpcError):
        stub.CreateMigration(iter([pb.CreateMigrationRequest(header=pb.MigrationHeader(request_id=key)),
                                   pb.CreateMigrationRequest(csv_chunk=rows(f"{users[0]},basic,premium"))]),
                             metadata=token(Role.OPERATOR, subject="dave"))
    audited = fetch(db, "SELECT outcome, detail->>'request_id', migration_id IS NOT NULL FROM audit_log "
                        "WHERE subject = 'dave' AND method = 'CreateMigration' ORDER BY id")
    assert audited == [("OK", key, True), ("ALREADY_EXISTS", key, False)]
