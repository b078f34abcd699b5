"""The server's clock skewed by ±10 minutes (an injected clock): token times follow the configured leeway."""

from __future__ import annotations

import time
import uuid

import grpc
import pytest
from faultkit.report import Record
from faultkit.world import World

from subshift.api.auth import Role, TokenVerifier
from subshift.api.server import create_server
from subshift.api.tokens import mint_dev_token
from subshift.db.engine import make_engine
from subshift_client import migration_v1 as pb

CASES = [  # (server clock offset s, leeway s, token lifetime s, accepted)
    (+600, 30, 300, False),   # fast server: a 5-minute token looks expired
    (+600, 900, 300, True),   # ... unless the leeway covers the skew
    (-600, 30, 3600, False),  # slow server: nbf/iat lie 10 minutes in its future
    (-600, 900, 3600, True),
    (+20, 30, 10, True),      # within the leeway: expired 10 s ago by the server's clock, still accepted
    (-20, 30, 3600, True),
]


@pytest.mark.parametrize(("offset", "leeway", "ttl", "accepted"), CASES,
                         ids=[f"{o:+d}s-leeway{lw}-ttl{t}" for o, lw, t, _ in CASES])
def test_token_times_follow_the_leeway_under_a_skewed_server_clock(
        world: World, record: Record, offset: int, leeway: int, ttl: int, accepted: bool) -> None:
    auth = world.settings.auth.model_copy(update={"leeway_seconds": leeway})
    settings = world.settings.model_copy(update={"auth": auth})
    engine = make_engine(settings.database)
    server = create_server(settings, engine, address="127.0.0.1:0",
                           verifier=TokenVerifier(auth, clock=lambda: time.time() + offset))
    token = mint_dev_token(auth, role=Role.VIEWER, subject="skew", ttl_seconds=ttl)
    try:
        with grpc.insecure_channel(f"127.0.0.1:{server.port}") as channel, pytest.raises(grpc.RpcError) as raised:
            pb.MigrationServiceStub(channel).GetMigration(
                pb.GetMigrationRequest(migration_id=str(uuid.uuid4())),
                metadata=(("authorization", f"Bearer {token}"),), timeout=10)
    finally:
        server.stop(0).wait(5)
        engine.dispose()
    code = raised.value.code()
    assert code == (grpc.StatusCode.NOT_FOUND if accepted else grpc.StatusCode.UNAUTHENTICATED)
    record(f"server clock {offset:+d}s", f"leeway {leeway}s, token ttl {ttl}s: {'accept' if accepted else 'refuse'}",
           f"{code.name} ({'past auth, migration not found' if accepted else 'generic message'})")
