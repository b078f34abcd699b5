"""The bench's do-nothing API is the product's admission around an empty ``GetMigration``: a call without a
token is refused as on the real API, one with a token is answered without any database."""

from __future__ import annotations

from collections.abc import Iterator

import grpc
import pytest
from pydantic import SecretStr

from subshift.api.auth import Role, TokenVerifier
from subshift.api.metrics import ApiMetrics
from subshift.api.server import admission_server, listen
from subshift.api.tokens import mint_dev_token
from subshift.config import Settings
from subshift.config.api import ApiSettings
from subshift.config.auth import AuthSettings
from subshift_client import migration_v1 as pb
from subshift_tooling.bench.null_api import null_service

MIGRATION = "0b7c3f1e-5a2d-4c8e-9f10-2b3c4d5e6f70"


@pytest.fixture
def null_api() -> Iterator[tuple[Settings, pb.MigrationServiceStub]]:
    settings = Settings(api=ApiSettings(addr="127.0.0.1:0", health_addr="off"),
                        auth=AuthSettings(hs256_secret=SecretStr("a-test-secret-long-enough-for-hs256-use")))
    admission = admission_server(settings, TokenVerifier(settings.auth), ApiMetrics())
    admission.server.add_generic_rpc_handlers((null_service(),))
    port = listen(admission.server, settings)
    admission.server.start()
    with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
        yield settings, pb.MigrationServiceStub(channel)
    admission.server.stop(0).wait(5)
    admission.pacing.watchdog.close()


def test_get_migration_needs_a_token_and_answers_an_empty_migration(
        null_api: tuple[Settings, pb.MigrationServiceStub]) -> None:
    settings, stub = null_api
    token = mint_dev_token(settings.auth, role=Role.VIEWER, subject="bench", ttl_seconds=60)

    with pytest.raises(grpc.RpcError) as refused:
        stub.GetMigration(pb.GetMigrationRequest(migration_id=MIGRATION), timeout=10)
    answer = stub.GetMigration(pb.GetMigrationRequest(migration_id=MIGRATION),
                               metadata=[("authorization", f"Bearer {token}")], timeout=10)

    assert refused.value.code() is grpc.StatusCode.UNAUTHENTICATED
    assert answer.migration.migration_id == MIGRATION


def test_the_other_methods_are_unimplemented(null_api: tuple[Settings, pb.MigrationServiceStub]) -> None:
    settings, stub = null_api
    token = mint_dev_token(settings.auth, role=Role.ADMIN, subject="bench", ttl_seconds=60)

    with pytest.raises(grpc.RpcError) as unimplemented:
        stub.ListMigrations(pb.ListMigrationsRequest(), metadata=[("authorization", f"Bearer {token}")], timeout=10)

    assert unimplemented.value.code() is grpc.StatusCode.UNIMPLEMENTED
