"""Secrets never reach a log: the database password, the token signing secret, bearer tokens.

The API, relay and consumer run as real processes with a database role whose password is unique to
this run and a unique HS256 secret; calls succeed and fail (a tampered token, an expired one, a
relay given a wrong password that keeps retrying), then every line the processes wrote is searched.
"""

from __future__ import annotations

import time
import uuid
from pathlib import Path

import grpc
import jwt
import psycopg2
from faultkit.datasets import csv_bytes, mixed_rows
from faultkit.oracle import Upload
from faultkit.progress import finish
from faultkit.report import Record
from faultkit.uploads import messages
from faultkit.world import World, wait_until
from pydantic import SecretStr
from sqlalchemy.engine import make_url

from subshift.api.auth import Role
from subshift.api.tokens import mint_dev_token
from subshift.config import DatabaseSettings
from subshift_client import migration_v1 as pb


def _with_role(world: World, role: str, password: str) -> DatabaseSettings:
    url = make_url(world.settings.database.sqlalchemy_url()).set(username=role, password=password)
    return DatabaseSettings(url=SecretStr(url.render_as_string(hide_password=False)))


def test_no_secret_appears_in_any_service_log(world: World, record: Record) -> None:
    role, password = f"faults_{uuid.uuid4().hex[:8]}", f"pw-{uuid.uuid4().hex}"
    secret = f"hs-{uuid.uuid4().hex}{uuid.uuid4().hex}"
    admin = psycopg2.connect(world.settings.database.libpq_dsn())
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute(f'CREATE ROLE "{role}" LOGIN SUPERUSER PASSWORD %s', (password,))
    try:
        data = world.seed(1200)
        rows = mixed_rows(data, 1000)
        auth = world.settings.auth.model_copy(update={"hs256_secret": SecretStr(secret)})
        world.settings = world.settings.model_copy(update={"database": _with_role(world, role, password),
                                                           "auth": auth})
        world.spawn("api", SUBSHIFT_AUTH_HS256_SECRET=secret)
        world.spawn("relay", SUBSHIFT_AUTH_HS256_SECRET=secret)
        world.spawn("consumer", SUBSHIFT_AUTH_HS256_SECRET=secret)
        wrong = f"wrongpw-{uuid.uuid4().hex}"
        world.spawn("relay", SUBSHIFT_DATABASE_URL=_with_role(world, role, wrong).sqlalchemy_url(),
                    SUBSHIFT_AUTH_HS256_SECRET=secret)

        token = mint_dev_token(auth, role=Role.OPERATOR, subject="alice", ttl_seconds=600)
        expired = mint_dev_token(auth, role=Role.OPERATOR, subject="alice", ttl_seconds=1, clock=lambda: 1e9)
        tampered = token[:-6] + ("AAAAAA" if not token.endswith("AAAAAA") else "BBBBBB")
        foreign = jwt.encode({"sub": "x", "password": password}, "another-secret-of-enough-length!!", algorithm="HS256")
        with grpc.insecure_channel(world.api_target) as channel:
            stub = pb.MigrationServiceStub(channel)
            for bad in (expired, tampered, foreign, f"{secret}"):
                try:
                    stub.CreateMigration(messages(csv_bytes(rows[:1])), metadata=(("authorization", f"Bearer {bad}"),))
                except grpc.RpcError as error:
                    assert error.code() == grpc.StatusCode.UNAUTHENTICATED
            created = stub.CreateMigration(messages(csv_bytes(rows), request_id="secrets"),
                                           metadata=(("authorization", f"Bearer {token}"),))
        finish(world, [Upload(created.migration.migration_id, rows)])
        time.sleep(1)
        world.stop_all()
    finally:
        with admin.cursor() as cur:
            wait_until(lambda: _drop_role(cur, role), timeout=30, what=f"role {role} can be dropped")
        admin.close()

    logs = sorted(Path(world.logs).glob("*.log"))
    text = "\n".join(p.read_text(errors="replace") for p in logs)
    assert "relay.database_unavailable" in text, "the relay with the wrong password never logged its failure"
    secrets = {"database password": password, "wrong database password": wrong, "HS256 secret": secret,
               "bearer token": token, "token signature": token.rsplit(".", 1)[1],
               "tampered token": tampered, "expired token": expired.rsplit(".", 1)[1]}
    leaked = {name: [p.name for p in logs if value in p.read_text(errors="replace")]
              for name, value in secrets.items() if value in text}
    assert leaked == {}, f"secrets found in logs: {leaked}"
    record("secrets never logged", "no password, signing secret or token in any service log",
           f"{len(logs)} logs, {len(text.splitlines())} lines searched for {len(secrets)} secrets: none found")


def _drop_role(cur: object, role: str) -> bool:
    try:
        # The role owns what the services created as it (each migration's items partition).
        cur.execute(f'REASSIGN OWNED BY "{role}" TO CURRENT_USER')  # type: ignore[attr-defined]
        cur.execute(f'DROP ROLE IF EXISTS "{role}"')  # type: ignore[attr-defined]
        return True
    except psycopg2.Error:
        return False
