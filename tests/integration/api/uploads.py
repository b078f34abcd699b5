"""Helpers to upload CSV text through the real CreateMigration stream and read what it left."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from typing import Any

import grpc
from google.rpc import error_details_pb2, status_pb2
from grpc_status import rpc_status

from subshift.api.auth import Role
from subshift_client import migration_v1 as pb

Token = Callable[..., list[tuple[str, str]]]


def requests(csv: bytes, *, chunk: int = 7, **header: Any) -> Iterator[pb.CreateMigrationRequest]:
    """A header message, then ``csv`` in small chunks (so chunk boundaries fall everywhere)."""
    yield pb.CreateMigrationRequest(header=pb.MigrationHeader(**header))
    for start in range(0, len(csv), chunk):
        yield pb.CreateMigrationRequest(csv_chunk=csv[start:start + chunk])


def rows(*lines: str, header: str = "user_id,current_offer,target_offer") -> bytes:
    return ("\n".join((header, *lines)) + "\n").encode()


def upload(stub: pb.MigrationServiceStub, token: Token, csv: bytes, **header: Any) -> pb.CreateMigrationResponse:
    response: pb.CreateMigrationResponse = stub.CreateMigration(requests(csv, **header),
                                                                metadata=token(Role.OPERATOR))
    return response


def fresh_users(count: int) -> list[str]:
    """User ids no other test uses (uploads only check their format, not that they exist)."""
    tag = uuid.uuid4().hex[:8]
    return [f"t{tag}-{k}" for k in range(count)]


def bad_request(error: grpc.RpcError) -> list[error_details_pb2.BadRequest.FieldViolation]:
    """The BadRequest field violations carried by an error's google.rpc.Status."""
    status: status_pb2.Status | None = rpc_status.from_call(error)  # type: ignore[arg-type]
    assert status is not None, "the error carries no google.rpc.Status"
    violations = []
    for detail in status.details:
        request = error_details_pb2.BadRequest()
        if detail.Unpack(request):
            violations.extend(request.field_violations)
    return violations


def fetch(db: Any, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    with db.cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())
