"""The client attaches the token, retries UNAVAILABLE with the same request id, pages, and types errors.

An in-process ``MigrationService`` with scripted answers tests the client's own behaviour without
the product's server; the client against the real server is tested in ``tests/integration/client_package``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import grpc
import pytest
from google.protobuf import any_pb2
from google.rpc import code_pb2, error_details_pb2, status_pb2
from grpc_status import rpc_status
from scripted_service import ScriptedService

from subshift_client import SubshiftClient
from subshift_client._generated.subshift.migration.v1 import migration_pb2 as pb
from subshift_client._generated.subshift.migration.v1 import migration_service_pb2 as api
from subshift_client.api_errors import InvalidArgumentError, NotFoundError, RowViolation, UnavailableError


def _unavailable(_request: Any, context: grpc.ServicerContext) -> Any:
    context.abort(grpc.StatusCode.UNAVAILABLE, "starting up")


def _created(request: list[api.CreateMigrationRequest], _context: Any) -> api.CreateMigrationResponse:
    body = b"".join(message.csv_chunk for message in request[1:])
    return api.CreateMigrationResponse(
        migration=pb.Migration(migration_id="m-1", request_id=request[0].header.request_id,
                               counts=pb.MigrationCounts(rows_received=body.count(b"\n") - 1))
    )


def test_create_sends_the_header_then_the_file_with_the_token(
    scripted: tuple[ScriptedService, str], client: SubshiftClient, tmp_path: Path
) -> None:
    servicer, _ = scripted
    servicer.scripts["CreateMigration"] = [_created]
    path = tmp_path / "m.csv"
    path.write_bytes(b"user_id,current_offer,target_offer\n" + b"u1,A,B\n" * 1000)
    seen = []
    response = client.create_migration(path, description="d", max_rejected_rows=3, on_progress=seen.append)
    _, request, metadata = servicer.calls[0]
    header = request[0].header
    assert metadata["authorization"] == "Bearer t0k3n"
    assert (header.description, header.max_rejected_rows, header.validate_only) == ("d", 3, False)
    assert header.HasField("max_rejected_rows")
    assert response.migration.counts.rows_received == 1000
    assert seen[-1].bytes_sent == seen[-1].total_bytes == path.stat().st_size
    assert seen[-1].rows_sent == 1000


def test_unavailable_is_retried_with_the_same_request_id(
    scripted: tuple[ScriptedService, str], client: SubshiftClient
) -> None:
    servicer, _ = scripted
    servicer.scripts["CreateMigration"] = [_unavailable, _unavailable, _created]
    response = client.create_migration([("u1", "A", "B")])
    request_ids = {request[0].header.request_id for _, request, _ in servicer.calls}
    assert len(servicer.calls) == 3 and len(request_ids) == 1
    assert response.migration.request_id in request_ids


def test_a_server_that_stays_unavailable_raises_after_the_last_attempt(
    scripted: tuple[ScriptedService, str], client: SubshiftClient
) -> None:
    servicer, _ = scripted
    servicer.scripts["GetMigration"] = [_unavailable]
    with pytest.raises(UnavailableError, match="starting up"):
        client.get_migration("m-1")
    assert len(servicer.calls) == 4


def _bad_upload(_request: Any, context: grpc.ServicerContext) -> Any:
    bad_request = error_details_pb2.BadRequest(field_violations=[
        error_details_pb2.BadRequest.FieldViolation(
            field="rows[7].target_offer", description="offer X does not exist", reason="UNKNOWN_OFFER"),
    ])
    detail = any_pb2.Any()
    detail.Pack(bad_request)
    status = status_pb2.Status(code=code_pb2.INVALID_ARGUMENT, message="2 rows broke rules", details=[detail])
    context.abort_with_status(rpc_status.to_status(status))


def test_a_rejected_upload_raises_with_its_row_violations(
    scripted: tuple[ScriptedService, str], client: SubshiftClient
) -> None:
    servicer, _ = scripted
    servicer.scripts["CreateMigration"] = [_bad_upload]
    with pytest.raises(InvalidArgumentError) as caught:
        client.create_migration(b"user_id,current_offer,target_offer\nu1,A,X\n")
    assert caught.value.details == "2 rows broke rules"
    assert caught.value.violations == (
        RowViolation(row=7, column="target_offer", rule="unknown_offer", message="offer X does not exist"),)
    assert not caught.value.retryable


def test_not_found_is_typed(scripted: tuple[ScriptedService, str], client: SubshiftClient) -> None:
    servicer, _ = scripted
    servicer.scripts["GetMigration"] = [lambda _r, context: context.abort(grpc.StatusCode.NOT_FOUND, "no such")]
    with pytest.raises(NotFoundError):
        client.get_migration("nope")


def test_list_migrations_follows_page_tokens_until_the_last_page(
    scripted: tuple[ScriptedService, str], client: SubshiftClient
) -> None:
    servicer, _ = scripted
    pages = {"": (["a", "b"], "p2"), "p2": (["c"], "")}

    def page(request: api.ListMigrationsRequest, _context: Any) -> api.ListMigrationsResponse:
        ids, token = pages[request.page_token]
        return api.ListMigrationsResponse(
            migrations=[pb.Migration(migration_id=i) for i in ids], next_page_token=token)

    servicer.scripts["ListMigrations"] = [page]
    assert [m.migration_id for m in client.list_migrations(page_size=2)] == ["a", "b", "c"]
    assert [m.migration_id for m in client.list_migrations(page_size=2, limit=2)] == ["a", "b"]


def test_watch_resumes_after_a_broken_stream_and_stops_at_a_terminal_state(
    scripted: tuple[ScriptedService, str], client: SubshiftClient
) -> None:
    servicer, _ = scripted

    def broken(_request: Any, context: grpc.ServicerContext) -> Any:
        yield api.WatchMigrationResponse(migration=pb.Migration(state=pb.MIGRATION_STATE_PUBLISHING))
        context.abort(grpc.StatusCode.UNAVAILABLE, "restarting")

    def finishing(_request: Any, _context: Any) -> Any:
        for state in (pb.MIGRATION_STATE_APPLYING, pb.MIGRATION_STATE_SUCCEEDED, pb.MIGRATION_STATE_FAILED):
            yield api.WatchMigrationResponse(migration=pb.Migration(state=state))

    servicer.scripts["WatchMigration"] = [broken, finishing]
    states = [snapshot.state for snapshot in client.watch("m-1")]
    assert states == [pb.MIGRATION_STATE_PUBLISHING, pb.MIGRATION_STATE_APPLYING, pb.MIGRATION_STATE_SUCCEEDED]


def test_export_writes_the_stream_to_a_file(
    scripted: tuple[ScriptedService, str], client: SubshiftClient, tmp_path: Path
) -> None:
    servicer, _ = scripted
    servicer.scripts["ExportMigrationResults"] = [
        lambda _r, _c: iter([api.ExportMigrationResultsResponse(csv_chunk=b"a,b\n"),
                             api.ExportMigrationResultsResponse(csv_chunk=b"1,2\n")])
    ]
    target = tmp_path / "out" / "results.csv"
    assert client.export_results("m-1", target) == 8
    assert target.read_bytes() == b"a,b\n1,2\n"
    assert [p.name for p in target.parent.iterdir()] == ["results.csv"]


def test_address_and_token_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SUBSHIFT_API_ADDR", "10.0.0.1:1234")
    monkeypatch.setenv("SUBSHIFT_TOKEN", "from-env")
    with SubshiftClient(insecure=True) as client:
        assert client.addr == "10.0.0.1:1234"
        assert client._options.metadata() == (("authorization", "Bearer from-env"),)
