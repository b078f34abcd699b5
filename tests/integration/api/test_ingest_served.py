"""`subshift serve api` as a real process: buf curl through reflection, SIGTERM drains; TLS; shutdown order."""

from __future__ import annotations

import datetime
import json
import signal
import socket
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import grpc
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from grpc_health.v1 import health_pb2, health_pb2_grpc
from sqlalchemy import Engine

from api.served_api import free_port, serve_api
from api.uploads import Token, requests, rows, upload
from subshift.api.auth import Role
from subshift.api.server import create_server
from subshift.api.tokens import mint_dev_token
from subshift.config import Settings
from subshift.errors import ContractError
from subshift_client import migration_v1 as pb

BUF = str(Path(sys.executable).parent / "buf")


@pytest.fixture(scope="module")
def served(api_settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Any, Path]]:
    """``subshift serve api`` on a free port against the tests' database; yields (url, process, log)."""
    with serve_api(api_settings, tmp_path_factory.mktemp("served") / "api.log") as api:
        yield f"http://{api.target}", api.process, api.log


def _buf_curl(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([BUF, "curl", "--protocol", "grpc", "--http2-prior-knowledge", *args],
                          capture_output=True, text=True, timeout=60, check=False)


def test_buf_curl_lists_the_service_by_reflection(served: tuple[str, Any, Path]) -> None:
    listed = _buf_curl("--list-methods", served[0])
    assert listed.returncode == 0, listed.stderr
    assert "subshift.migration.v1.MigrationService/GetMigration" in listed.stdout.split()


def test_buf_curl_calls_get_and_list_with_a_token(served: tuple[str, Any, Path], api_settings: Settings,
                                                  stub: Any, token: Token) -> None:
    created = upload(stub, token, rows("user0002,basic,gold")).migration
    bearer = mint_dev_token(api_settings.auth, role=Role.VIEWER, subject="buf", ttl_seconds=300)
    method = f"{served[0]}/{pb.MIGRATION_SERVICE.full_name}"
    got = _buf_curl("-H", f"authorization: Bearer {bearer}", "-d", json.dumps({"migrationId": created.migration_id}),
                    f"{method}/GetMigration")
    assert got.returncode == 0, got.stderr
    assert json.loads(got.stdout)["migration"]["migrationId"] == created.migration_id
    listed = _buf_curl("-H", f"authorization: Bearer {bearer}", "-d", '{"pageSize": 5}', f"{method}/ListMigrations")
    assert listed.returncode == 0, listed.stderr
    page = json.loads(listed.stdout)["migrations"]
    assert 1 <= len(page) <= 5 and page[0]["migrationId"] == created.migration_id


def test_buf_curl_without_a_token_is_unauthenticated(served: tuple[str, Any, Path]) -> None:
    refused = _buf_curl("-d", "{}", f"{served[0]}/{pb.MIGRATION_SERVICE.full_name}/ListMigrations")
    assert refused.returncode != 0
    assert json.loads(refused.stderr)["code"] == "unauthenticated"


def test_sigterm_drains_and_exits_cleanly(served: tuple[str, Any, Path]) -> None:
    _, process, log = served
    process.send_signal(signal.SIGTERM)
    assert process.wait(30) == 0
    events = [json.loads(line)["event"] for line in log.read_text().splitlines() if line.startswith("{")]
    assert events[-2:] == ["api_draining", "api_stopped"]


def test_stop_turns_health_off_and_ends_watches_with_unavailable(api_settings: Settings, engine: Engine,
                                                                 stub: Any, token: Token) -> None:
    migration = upload(stub, token, rows("user0004,basic,gold")).migration
    server = create_server(api_settings, engine)
    with grpc.insecure_channel(f"127.0.0.1:{server.port}") as channel:
        watch = pb.MigrationServiceStub(channel).WatchMigration(
            pb.WatchMigrationRequest(migration_id=migration.migration_id), metadata=token(Role.VIEWER), timeout=30)
        assert next(watch).migration.migration_id == migration.migration_id
        server.stop(5)
        with pytest.raises(grpc.RpcError) as raised:
            next(watch)
        assert raised.value.code() == grpc.StatusCode.UNAVAILABLE
        status = server.health.Check(health_pb2.HealthCheckRequest(service=""), None).status
        assert status == health_pb2.HealthCheckResponse.NOT_SERVING


def _self_signed(directory: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(minutes=1))
            .not_valid_after(now + datetime.timedelta(hours=1))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = directory / "server.pem", directory / "server.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


def test_tls_serves_only_to_clients_that_trust_the_certificate(api_settings: Settings, engine: Engine,
                                                                token: Token, tmp_path: Path) -> None:
    cert, key = _self_signed(tmp_path)
    tls = api_settings.model_copy(update={"api": api_settings.api.model_copy(update={"tls_cert": cert,
                                                                                       "tls_key": key})})
    server = create_server(tls, engine, address="localhost:0")
    try:
        credentials = grpc.ssl_channel_credentials(root_certificates=cert.read_bytes())
        with grpc.secure_channel(f"localhost:{server.port}", credentials) as channel:
            page = pb.MigrationServiceStub(channel).ListMigrations(pb.ListMigrationsRequest(page_size=1),
                                                                   metadata=token(Role.VIEWER), timeout=10)
            assert len(page.migrations) == 1
        with grpc.insecure_channel(f"localhost:{server.port}") as plain, pytest.raises(grpc.RpcError):
            pb.MigrationServiceStub(plain).ListMigrations(pb.ListMigrationsRequest(), metadata=token(Role.VIEWER),
                                                          timeout=5)
    finally:
        server.stop(1).wait(10)


def test_an_unreachable_database_is_unavailable_and_retryable(api_settings: Settings, token: Token) -> None:
    from pydantic import SecretStr

    from subshift.config import DatabaseSettings
    from subshift.db.engine import make_engine

    nowhere = DatabaseSettings(url=SecretStr(f"postgresql+psycopg2://subshift:x@127.0.0.1:{free_port()}/subshift"))
    engine = make_engine(nowhere)
    server = create_server(api_settings, engine, address="127.0.0.1:0")
    try:
        with grpc.insecure_channel(f"127.0.0.1:{server.port}") as channel:
            stub = pb.MigrationServiceStub(channel)
            calls = [
                lambda: stub.GetMigration(pb.GetMigrationRequest(migration_id=str(uuid.uuid4())),
                                          metadata=token(Role.VIEWER), timeout=30),
                lambda: stub.CreateMigration(requests(rows("u1,basic,gold")), metadata=token(Role.OPERATOR),
                                             timeout=30),
            ]
            for call in calls:
                with pytest.raises(grpc.RpcError) as raised:
                    call()
                assert raised.value.code() == grpc.StatusCode.UNAVAILABLE
                assert "password" not in raised.value.details()
    finally:
        server.stop(1).wait(10)
        engine.dispose()


def test_create_server_unpacks_as_server_and_port(api_settings: Settings, engine: Engine) -> None:
    api = create_server(api_settings, engine, address="127.0.0.1:0")
    server, port = api
    try:
        assert server is api.server and port == api.port > 0
    finally:
        api.stop(0).wait(10)


def _with_health_addr(settings: Settings, health_addr: str | None) -> Settings:
    return settings.model_copy(update={"api": settings.api.model_copy(update={"health_addr": health_addr})})


def test_health_answers_on_a_server_of_its_own(api_settings: Settings, engine: Engine) -> None:
    server = create_server(_with_health_addr(api_settings, "127.0.0.1:0"), engine)
    try:
        assert server.health_port and server.health_port != server.port
        with grpc.insecure_channel(f"127.0.0.1:{server.health_port}") as channel:
            answer = health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(), timeout=10)
            assert answer.status == health_pb2.HealthCheckResponse.SERVING
            with pytest.raises(grpc.RpcError) as raised:  # health only: the API is not on this port
                pb.MigrationServiceStub(channel).ListMigrations(pb.ListMigrationsRequest(), timeout=10)
            assert raised.value.code() == grpc.StatusCode.UNIMPLEMENTED
    finally:
        server.stop(0).wait(10)


def test_a_configured_health_address_in_use_stops_the_start(api_settings: Settings, engine: Engine) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        address = f"127.0.0.1:{taken.getsockname()[1]}"
        with pytest.raises(ContractError, match="cannot listen"):
            create_server(_with_health_addr(api_settings, address), engine)


def test_the_derived_health_address_in_use_leaves_health_on_the_api_port(api_settings: Settings,
                                                                        engine: Engine) -> None:
    api_port = free_port()
    with socket.socket() as taken:
        try:
            taken.bind(("127.0.0.1", api_port + 1))
            taken.listen()
        except OSError:
            pass  # something else holds the port above: in use all the same
        server = create_server(_with_health_addr(api_settings, None), engine, address=f"127.0.0.1:{api_port}")
    try:
        assert server.health_server is None
        with grpc.insecure_channel(f"127.0.0.1:{server.port}") as channel:
            answer = health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(), timeout=10)
            assert answer.status == health_pb2.HealthCheckResponse.SERVING
    finally:
        server.stop(0).wait(10)
