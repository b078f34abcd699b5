"""Helpers of the telemetry tests: seed subscribers, upload through the real API, read a migration's state."""

from __future__ import annotations

import grpc
from pipeline.harness import Pipeline

from subshift.api.auth import Role
from subshift.api.server import create_server
from subshift.api.tokens import mint_dev_token
from subshift.db.connect import PgConnection
from subshift.db.engine import make_engine
from subshift_client import migration_v1 as pb


def seed(pg: PgConnection, users: list[str]) -> None:
    with pg.cursor() as cur:
        cur.execute("INSERT INTO offers (code, name) VALUES ('basic', 'Basic'), ('gold', 'Gold') "
                    "ON CONFLICT DO NOTHING")
        cur.executemany("INSERT INTO subscriptions (user_id, offer_code) VALUES (%s, 'basic')",
                        [(user,) for user in users])


def upload(pipeline: Pipeline, users: list[str]) -> str:
    """CreateMigration through the real gRPC server; returns the migration id."""
    csv = "user_id,current_offer,target_offer\n" + "".join(f"{user},basic,gold\n" for user in users)
    engine = make_engine(pipeline.settings.database)
    server = create_server(pipeline.settings, engine)
    token = mint_dev_token(pipeline.settings.auth, role=Role.OPERATOR, subject="tracer", ttl_seconds=300)
    try:
        with grpc.insecure_channel(f"127.0.0.1:{server.port}") as channel:
            requests = iter([pb.CreateMigrationRequest(header=pb.MigrationHeader(description="traced")),
                             pb.CreateMigrationRequest(csv_chunk=csv.encode())])
            response = pb.MigrationServiceStub(channel).CreateMigration(
                requests, metadata=[("authorization", f"Bearer {token}")], timeout=60)
    finally:
        server.stop(1).wait(10)
        engine.dispose()
    migration_id: str = response.migration.migration_id
    return migration_id


def state(pg: PgConnection, migration_id: str) -> str:
    with pg.cursor() as cur:
        cur.execute("SELECT state FROM migrations WHERE id = %s", (migration_id,))
        (state,) = cur.fetchone()
    return str(state)
