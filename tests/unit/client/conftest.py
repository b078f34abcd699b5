"""Fixtures: a scripted in-process ``MigrationService`` and a client of it with quick retries."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent import futures

import grpc
import pytest
from scripted_service import ScriptedService

from subshift_client import RetryPolicy, SubshiftClient
from subshift_client._generated.subshift.migration.v1 import migration_service_pb2_grpc as service


@pytest.fixture
def scripted() -> Iterator[tuple[ScriptedService, str]]:
    servicer = ScriptedService()
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
    service.add_MigrationServiceServicer_to_server(servicer, server)
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    yield servicer, f"127.0.0.1:{port}"
    server.stop(grace=None)


@pytest.fixture
def client(scripted: tuple[ScriptedService, str]) -> Iterator[SubshiftClient]:
    _, addr = scripted
    with SubshiftClient(addr, token="t0k3n", retry=RetryPolicy(attempts=4, initial_backoff=0.01)) as made:
        yield made
