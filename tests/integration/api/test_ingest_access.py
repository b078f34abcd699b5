"""Who may call what, on the real server: tokens, contract-declared roles, public health and reflection."""

from __future__ import annotations

import time
import uuid
from typing import Any

import grpc
import jwt
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc

from api.conftest import Api
from api.uploads import Token, requests, rows
from subshift.api.auth import Role
from subshift.api.interceptor import role_policy
from subshift_client import migration_v1 as pb

GENERIC = "missing or invalid credentials"


def _get(stub: Any, metadata: list[tuple[str, str]] | None) -> None:
    stub.GetMigration(pb.GetMigrationRequest(migration_id=str(uuid.UUID(int=7))), metadata=metadata)


@pytest.mark.parametrize("metadata", [
    None,
    [("authorization", "Bearer")],
    [("authorization", "Basic dXNlcjpwYXNz")],
    [("authorization", "Bearer not.a.token")],
    [("authorization", "Bearer " + jwt.encode({"sub": "x", "roles": ["admin"]}, None, algorithm="none"))],
    [("authorization", "Bearer " + jwt.encode({"sub": "x", "iss": "subshift-dev", "aud": "subshift", "exp": 1,
                                                 "roles": ["admin"]}, "guessed-secret-of-some-length-xx",
                                                algorithm="HS256"))],
    [("authorization", "Bearer " + "a" * 7000)],
], ids=["none", "empty_bearer", "basic_scheme", "malformed", "alg_none", "wrong_secret", "oversize"])
def test_bad_credentials_are_unauthenticated_with_a_generic_message(stub: Any, metadata: Any) -> None:
    with pytest.raises(grpc.RpcError) as raised:
        _get(stub, metadata)
    assert raised.value.code() == grpc.StatusCode.UNAUTHENTICATED
    assert raised.value.details() == GENERIC


@pytest.mark.parametrize(("role", "call", "allowed"), [
    (Role.VIEWER, "get", True),
    (Role.VIEWER, "create", False),
    (Role.VIEWER, "cancel", False),
    (Role.VIEWER, "revert", False),
    (Role.OPERATOR, "create", True),
    (Role.OPERATOR, "cancel", True),
    (Role.ADMIN, "create", True),
])
def test_roles_follow_the_contract(stub: Any, token: Token, role: Role, call: str, allowed: bool) -> None:
    missing = str(uuid.UUID(int=8))
    calls = {
        "get": lambda: stub.GetMigration(pb.GetMigrationRequest(migration_id=missing), metadata=token(role)),
        "create": lambda: stub.CreateMigration(requests(rows("u1,basic,basic")), metadata=token(role)),
        "cancel": lambda: stub.CancelMigration(pb.CancelMigrationRequest(migration_id=missing), metadata=token(role)),
        "revert": lambda: stub.RevertMigration(pb.RevertMigrationRequest(migration_id=missing), metadata=token(role)),
    }
    with pytest.raises(grpc.RpcError) as raised:  # every call here fails past auth: missing id or bad row
        calls[call]()
    if allowed:
        assert raised.value.code() in (grpc.StatusCode.NOT_FOUND, grpc.StatusCode.INVALID_ARGUMENT)
    else:
        assert raised.value.code() == grpc.StatusCode.PERMISSION_DENIED


def test_a_token_without_a_role_is_permission_denied(stub: Any, api: Api) -> None:
    secret = api.settings.auth.hs256_secret
    assert secret is not None
    value = jwt.encode({"sub": "x", "iss": api.settings.auth.issuer, "aud": api.settings.auth.audience,
                        "exp": int(time.time()) + 600}, secret.get_secret_value(), algorithm="HS256")
    with pytest.raises(grpc.RpcError) as raised:
        _get(stub, [("authorization", f"Bearer {value}")])
    assert raised.value.code() == grpc.StatusCode.PERMISSION_DENIED


def test_every_method_has_its_role_from_the_contract() -> None:
    policy = role_policy([pb.MIGRATION_SERVICE])
    assert len(policy) == len(pb.MIGRATION_SERVICE.methods) == 8
    prefix = f"/{pb.MIGRATION_SERVICE.full_name}/"
    assert policy[prefix + "GetMigration"] == Role.VIEWER
    assert policy[prefix + "CreateMigration"] == Role.OPERATOR
    assert {policy[prefix + name] for name in ("CancelMigration", "RevertMigration")} == {Role.OPERATOR}


def test_health_needs_no_token(channel: grpc.Channel) -> None:
    health = health_pb2_grpc.HealthStub(channel)
    for service in ("", pb.MIGRATION_SERVICE.full_name):
        reply = health.Check(health_pb2.HealthCheckRequest(service=service))
        assert reply.status == health_pb2.HealthCheckResponse.SERVING


def test_reflection_needs_no_token(channel: grpc.Channel) -> None:
    stub = reflection_pb2_grpc.ServerReflectionStub(channel)
    replies = stub.ServerReflectionInfo(iter([reflection_pb2.ServerReflectionRequest(list_services="")]))
    names = {service.name for reply in replies for service in reply.list_services_response.service}
    assert pb.MIGRATION_SERVICE.full_name in names


def test_metrics_count_calls_by_method_and_code_and_rows_by_verdict(stub: Any, token: Token, api: Api) -> None:
    registry = api.server.metrics.registry

    def value(name: str, **labels: str) -> float:
        return registry.get_sample_value(name, labels) or 0.0

    before = value("subshift_api_requests_total", method="GetMigration", code="UNAUTHENTICATED")
    accepted = value("subshift_api_csv_rows_total", verdict="accepted")
    with pytest.raises(grpc.RpcError):
        _get(stub, None)
    user = f"m{uuid.uuid4().hex[:8]}"
    stub.CreateMigration(requests(rows(f"{user},basic,gold", "bad user,basic,gold"), max_rejected_rows=1),
                         metadata=token(Role.OPERATOR))
    assert value("subshift_api_requests_total", method="GetMigration", code="UNAUTHENTICATED") == before + 1
    assert value("subshift_api_csv_rows_total", verdict="accepted") == accepted + 1
    assert value("subshift_api_request_seconds_count", method="CreateMigration") >= 1
