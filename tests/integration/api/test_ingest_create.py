"""CreateMigration on the real server and PostgreSQL: staging, rejections, idempotency, dry runs."""

from __future__ import annotations

import re
import threading
from typing import Any

import grpc
import pytest

from api.uploads import Token, bad_request, fetch, fresh_users, requests, rows, upload
from subshift.api.auth import Role
from subshift.api.create import UploadHeader, create_migration
from subshift.api.request_deadline import StreamCutOff
from subshift.config import Settings
from subshift_client import migration_v1 as pb
from subshift_client.api_errors import api_error_from


def test_valid_upload_is_staged_as_pending_items_with_event_ids(stub: Any, token: Token, db: Any) -> None:
    users = fresh_users(3)
    csv = rows(f"{users[0]},basic,gold", f"{users[1]},premium,gold", f"{users[2]},basic,premium")
    response = upload(stub, token, csv, request_id=f"req-{users[0]}", description="three users")
    migration = response.migration
    assert migration.state == pb.MigrationState.MIGRATION_STATE_PENDING
    assert (migration.counts.rows_received, migration.counts.staged, migration.counts.rows_rejected) == (3, 3, 0)
    assert migration.created_by == "tester" and migration.description == "three users"
    assert len(migration.content_sha256) == 64
    items = fetch(db, "SELECT row_number, user_id, current_offer, target_offer, outcome, event_id "
                      "FROM migration_items WHERE migration_id = %s ORDER BY row_number", migration.migration_id)
    assert [item[:5] for item in items] == [(2, users[0], "basic", "gold", "pending"),
                                            (3, users[1], "premium", "gold", "pending"),
                                            (4, users[2], "basic", "premium", "pending")]
    assert len({item[5] for item in items}) == 3 and all(item[5] for item in items)
    assert (response.report.rows_valid, response.report.rows_rejected) == (3, 0)


def test_tolerated_bad_rows_are_stored_rejected_without_event_ids(stub: Any, token: Token, db: Any) -> None:
    users = fresh_users(3)
    csv = rows(f"{users[0]},basic,gold", f"{users[1]},basic,retired", f"{users[0]},premium,gold",
               "=HYPERLINK(1),basic,gold", f"{users[2]},basic,basic")
    response = upload(stub, token, csv, max_rejected_rows=4)
    counts = response.migration.counts
    assert (counts.rows_received, counts.staged, counts.rows_rejected) == (5, 1, 4)
    found = [(v.row, v.column, v.rule) for v in response.report.violations]
    assert found == [(3, "target_offer", "inactive_offer"), (4, "user_id", "duplicate_user"),
                     (5, "user_id", "user_id_format"), (6, "target_offer", "same_offer")]
    assert "appears in row 2" in response.report.violations[1].message
    rejected = fetch(db, "SELECT row_number, outcome, event_id, column_name, reason <> '' FROM migration_items "
                         "WHERE migration_id = %s AND outcome = 'rejected' ORDER BY row_number",
                     response.migration.migration_id)
    assert [(row, outcome, event, column, has_reason) for row, outcome, event, column, has_reason in rejected] == [
        (3, "rejected", None, "target_offer", True), (4, "rejected", None, "user_id", True),
        (5, "rejected", None, "user_id", True), (6, "rejected", None, "target_offer", True)]


def test_too_many_bad_rows_is_invalid_argument_naming_rows_and_nothing_is_staged(
        stub: Any, token: Token, db: Any) -> None:
    users = fresh_users(2)
    csv = rows(f"{users[0]},basic,gold", "bad user,basic,gold", f"{users[1]},gold,nowhere")
    with pytest.raises(grpc.RpcError) as raised:
        upload(stub, token, csv, request_id=f"req-{users[0]}")
    assert raised.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "2 violations in 2 rows" in raised.value.details()
    fields = [(v.field, v.reason) for v in bad_request(raised.value)]
    assert fields == [("rows[3].user_id", "USER_ID_FORMAT"), ("rows[4].target_offer", "UNKNOWN_OFFER")]
    typed = api_error_from(raised.value)  # what the client library makes of it
    assert typed.violations_total == 2
    assert [(v.row, v.column, v.rule) for v in typed.violations] == [(3, "user_id", "user_id_format"),
                                                                     (4, "target_offer", "unknown_offer")]
    migration_id = re.search(r"migration ([0-9a-f-]{36})", raised.value.details()).group(1)  # type: ignore[union-attr]
    assert fetch(db, "SELECT state, request_id, rows_received, rows_rejected, staged FROM migrations WHERE id = %s",
                 migration_id) == [("rejected", None, 3, 2, 0)]
    assert fetch(db, "SELECT count(*) FROM migration_items WHERE migration_id = %s", migration_id) == [(0,)]
    # The request id stays free: the corrected file goes through under the same key.
    fixed = upload(stub, token, rows(f"{users[0]},basic,gold"), request_id=f"req-{users[0]}")
    assert fixed.migration.state == pb.MigrationState.MIGRATION_STATE_PENDING


def test_same_request_id_and_content_returns_the_same_migration(stub: Any, token: Token, db: Any) -> None:
    users = fresh_users(2)
    csv = rows(f"{users[0]},basic,gold", f"{users[1]},premium,gold")
    first = upload(stub, token, csv, request_id=f"req-{users[0]}")
    again = upload(stub, token, csv, request_id=f"req-{users[0]}", chunk=3)
    assert again.migration.migration_id == first.migration.migration_id
    assert fetch(db, "SELECT count(*) FROM migration_items WHERE migration_id = %s",
                 first.migration.migration_id) == [(2,)]


def test_same_request_id_with_other_content_is_already_exists(stub: Any, token: Token) -> None:
    users = fresh_users(2)
    upload(stub, token, rows(f"{users[0]},basic,gold"), request_id=f"req-{users[0]}")
    with pytest.raises(grpc.RpcError) as raised:
        upload(stub, token, rows(f"{users[1]},basic,gold"), request_id=f"req-{users[0]}")
    assert raised.value.code() == grpc.StatusCode.ALREADY_EXISTS
    assert "use a new request_id" in raised.value.details()


def test_concurrent_uploads_of_one_key_create_one_migration(stub: Any, token: Token, db: Any) -> None:
    users = fresh_users(200)
    csv = rows(*(f"{user},basic,gold" for user in users))
    results: list[str] = []

    def send() -> None:
        results.append(upload(stub, token, csv, request_id=f"req-{users[0]}", chunk=512).migration.migration_id)

    threads = [threading.Thread(target=send) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 3 and len(set(results)) == 1
    assert fetch(db, "SELECT count(*) FROM migrations WHERE request_id = %s", f"req-{users[0]}") == [(1,)]


def test_dry_run_reports_populations_and_stages_nothing(stub: Any, token: Token, db: Any) -> None:
    before = fetch(db, "SELECT count(*) FROM migrations")
    csv = rows("user0000,basic,gold", "user0001,premium,gold", "user0000,basic,premium", "nobody,gold,basic")
    response = upload(stub, token, csv, validate_only=True, request_id="dry-run-key")
    assert response.migration.migration_id == ""
    assert response.migration.state == pb.MigrationState.MIGRATION_STATE_REJECTED
    assert (response.report.rows_valid, response.report.rows_rejected) == (3, 1)
    assert [(v.row, v.rule) for v in response.report.violations] == [(4, "duplicate_user")]
    populations = {p.offer: p.subscribers for p in response.report.current_offer_population}
    assert populations == {"basic": 20, "premium": 20, "gold": 0}
    assert fetch(db, "SELECT count(*) FROM migrations") == before


def test_dry_run_reports_each_move_and_where_its_users_are_now(stub: Any, token: Token) -> None:
    # user000k is on basic when k is even, on premium when odd; "nobody" has no subscription.
    csv = rows("user0000,basic,gold", "user0002,premium,gold", "user0003,premium,gold", "user0001,basic,premium",
               "nobody,gold,basic", "user0000,basic,premium")
    response = upload(stub, token, csv, validate_only=True, max_rejected_rows=1)
    moves = {(m.current_offer, m.target_offer): (m.rows, m.would_apply, m.would_skip, m.would_conflict, m.not_found)
             for m in response.report.moves}
    assert moves == {
        ("premium", "gold"): (2, 1, 0, 1, 0),
        ("basic", "gold"): (1, 1, 0, 0, 0),
        ("basic", "premium"): (1, 0, 1, 0, 0),  # the duplicate row of user0000 is not counted
        ("gold", "basic"): (1, 0, 0, 0, 1),
    }
    assert (response.report.moves[0].current_offer, response.report.moves[0].target_offer) == ("premium", "gold")
    assert response.migration.state == pb.MigrationState.MIGRATION_STATE_PENDING


@pytest.mark.parametrize(("messages", "field", "reason"), [
    pytest.param(lambda: iter([pb.CreateMigrationRequest(csv_chunk=b"user_id")]), "header", "MISSING_HEADER",
                 id="chunk_before_header"),
    pytest.param(lambda: iter([]), "header", "MISSING_HEADER", id="empty_stream"),
    pytest.param(lambda: iter([pb.CreateMigrationRequest(header=pb.MigrationHeader()),
                               pb.CreateMigrationRequest(header=pb.MigrationHeader())]),
                 "header", "DUPLICATE_HEADER", id="second_header"),
    pytest.param(lambda: requests(b""), "rows[1]", "HEADER", id="empty_body"),
    pytest.param(lambda: requests(b"user_id,offer\n"), "rows[1]", "HEADER", id="bad_columns"),
    pytest.param(lambda: requests(b"user_id,current_offer,target_offer\n"), "file", "NO_ROWS", id="header_only"),
    pytest.param(lambda: requests(b"user_id,current_offer,target_offer\nu1,\"basic,gold\n"), "rows[2]",
                 "UNTERMINATED_QUOTE", id="unterminated_quote"),
    pytest.param(lambda: requests(b"user_id,current_offer,target_offer\nu\xff,basic,gold\n"), "rows[2]", "ENCODING",
                 id="invalid_utf8"),
    pytest.param(lambda: requests(b"user_id,current_offer,target_offer\n" + b"u1,basic,gold\n" * 1001),
                 "rows[1002]", "TOO_MANY_ROWS", id="over_the_row_limit"),
    pytest.param(lambda: requests(rows("u1,basic,gold"), max_rejected_rows=-1), "max_rejected_rows", "NEGATIVE",
                 id="negative_tolerance"),
])
def test_unreadable_uploads_are_invalid_argument(stub: Any, token: Token, messages: Any, field: str,
                                                 reason: str) -> None:
    with pytest.raises(grpc.RpcError) as raised:
        stub.CreateMigration(messages(), metadata=token(Role.OPERATOR))
    assert raised.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert [(v.field, v.reason) for v in bad_request(raised.value)] == [(field, reason)]


def test_upload_broken_off_mid_stream_leaves_nothing_and_the_retry_succeeds(stub: Any, token: Token,
                                                                            db: Any) -> None:
    users = fresh_users(300)
    csv = rows(*(f"{user},basic,gold" for user in users))
    key = f"req-{users[0]}"

    def broken() -> Any:
        for index, message in enumerate(requests(csv, request_id=key, chunk=64)):
            if index == 50:
                raise ConnectionResetError("the client went away")
            yield message

    with pytest.raises(grpc.RpcError) as raised:
        stub.CreateMigration(broken(), metadata=token(Role.OPERATOR))
    assert raised.value.code() == grpc.StatusCode.CANCELLED or raised.value.code() == grpc.StatusCode.UNKNOWN
    retried = upload(stub, token, csv, request_id=key, chunk=4096)
    assert retried.migration.counts.staged == 300
    assert fetch(db, "SELECT count(*) FROM migrations WHERE request_id = %s", key) == [(1,)]
    assert fetch(db, "SELECT count(*) FROM migration_items WHERE user_id = ANY(%s)", users) == [(300,)]


def test_a_ten_megabyte_line_is_refused_without_reading_it_whole(stub: Any, token: Token) -> None:
    def messages() -> Any:
        yield pb.CreateMigrationRequest(header=pb.MigrationHeader())
        yield pb.CreateMigrationRequest(csv_chunk=b"user_id,current_offer,target_offer\nu1,basic,")
        for _ in range(10):
            yield pb.CreateMigrationRequest(csv_chunk=b"g" * (1024 * 1024))

    with pytest.raises(grpc.RpcError) as raised:
        stub.CreateMigration(messages(), metadata=token(Role.OPERATOR))
    assert raised.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert [(v.field, v.reason) for v in bad_request(raised.value)] == [("rows[2]", "LINE_TOO_LONG")]


def test_a_message_over_the_size_limit_is_resource_exhausted(stub: Any, token: Token, api: Any) -> None:
    too_big = b"x" * (api.settings.api.max_message_bytes + 1)
    with pytest.raises(grpc.RpcError) as raised:
        stub.CreateMigration(iter([pb.CreateMigrationRequest(header=pb.MigrationHeader()),
                                   pb.CreateMigrationRequest(csv_chunk=too_big)]), metadata=token(Role.OPERATOR))
    assert raised.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED


def test_deadline_exceeded_mid_upload_leaves_nothing(stub: Any, token: Token, db: Any) -> None:
    users = fresh_users(50)
    key = f"req-{users[0]}"

    def trickle() -> Any:
        for message in requests(rows(*(f"{user},basic,gold" for user in users)), request_id=key, chunk=16):
            threading.Event().wait(0.02)
            yield message

    with pytest.raises(grpc.RpcError) as raised:
        stub.CreateMigration(trickle(), metadata=token(Role.OPERATOR), timeout=0.5)
    assert raised.value.code() == grpc.StatusCode.DEADLINE_EXCEEDED
    retried = upload(stub, token, rows(*(f"{user},basic,gold" for user in users)), request_id=key, chunk=4096)
    assert retried.migration.counts.staged == 50
    assert fetch(db, "SELECT count(*) FROM migrations WHERE request_id = %s", key) == [(1,)]


@pytest.mark.parametrize("bad_rows", [0, 3], ids=["staged", "refused"])
def test_a_stream_cut_off_at_its_end_keeps_nothing(api_settings: Settings, engine: Any, db: Any,
                                                    bad_rows: int) -> None:
    # The server cannot always tell a stream ended by its deadline from one the client closed until a
    # moment later: the check runs just before the commit, and a cut-off stream keeps nothing.
    users = fresh_users(5)
    key = f"req-{users[0]}"
    csv = rows(*(f"{user},basic,gold" for user in users[bad_rows:]),
               *(f"{user},basic,nope" for user in users[:bad_rows]))

    def cut_off() -> None:
        raise StreamCutOff()

    with pytest.raises(StreamCutOff):
        create_migration(engine, api_settings.ingest, UploadHeader(request_id=key), [csv], created_by=key,
                         confirm_open=cut_off)
    assert fetch(db, "SELECT count(*) FROM migrations WHERE request_id = %s OR created_by = %s", key, key) == [(0,)]
    assert fetch(db, "SELECT count(*) FROM migration_items WHERE user_id = ANY(%s)", users) == [(0,)]


def test_offer_codes_with_copy_special_characters_are_stored_exactly(stub: Any, token: Token, db: Any) -> None:
    odd = "odd\\code\tx"  # a backslash and a tab: both special in COPY's text format
    users = fresh_users(2)
    csv = rows(f'{users[0]},basic,"{odd}"', f'{users[1]},"{odd}",gold')
    migration = upload(stub, token, csv).migration
    assert fetch(db, "SELECT user_id, current_offer, target_offer FROM migration_items WHERE migration_id = %s "
                     "ORDER BY row_number", migration.migration_id) == [(users[0], "basic", odd),
                                                                        (users[1], odd, "gold")]
