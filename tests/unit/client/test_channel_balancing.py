"""A target that names every replica (``dns:///…``, an ``ipv4:``/``ipv6:`` list) gets a round-robin channel, sync
and asyncio; a plain ``host:port`` keeps one connection as before; a list of loopback addresses is loopback."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from concurrent import futures
from dataclasses import dataclass
from typing import Any

import grpc
import pytest
from scripted_service import ScriptedService

from subshift_client import AsyncSubshiftClient, SubshiftClient
from subshift_client._generated.subshift.migration.v1 import migration_pb2 as pb
from subshift_client._generated.subshift.migration.v1 import migration_service_pb2 as api
from subshift_client._generated.subshift.migration.v1 import migration_service_pb2_grpc as service
from subshift_client.channel import ChannelOptions, is_loopback
from subshift_client.targets import Target


@dataclass(frozen=True)
class Form:
    target: str
    balanced: bool
    hosts: tuple[str, ...]


FORMS = [
    Form("127.0.0.1:50051", False, ("127.0.0.1",)),
    Form("api.example.com:443", False, ("api.example.com",)),
    Form("localhost:50051", False, ("localhost",)),
    Form("[::1]:50051", False, ("::1",)),
    Form("unix:/tmp/api.sock", False, ()),
    Form("dns:///subshift-api-headless.subshift.svc:50051", True, ("subshift-api-headless.subshift.svc",)),
    Form("dns://10.0.0.10:53/api.internal:50051", True, ("api.internal",)),
    Form("dns:api.internal:50051", True, ("api.internal",)),
    Form("ipv4:10.0.0.1:50051", False, ("10.0.0.1",)),
    Form("ipv4:10.0.0.1:50051,10.0.0.2:50051,10.0.0.3:50051", True, ("10.0.0.1", "10.0.0.2", "10.0.0.3")),
    Form("ipv6:[fd00::1]:50051,[fd00::2]:50051", True, ("fd00::1", "fd00::2")),
]


def _options(addr: str) -> ChannelOptions:
    return ChannelOptions.resolve(addr=addr, token=None, tls=None, root_certificates=None, tls_server_name=None)


@pytest.mark.parametrize("form", FORMS, ids=[form.target for form in FORMS])
def test_each_target_form_names_its_hosts_and_whether_it_is_balanced(form: Form) -> None:
    parsed = Target.parse(form.target)
    assert parsed.hosts == form.hosts
    assert parsed.balanced is form.balanced


@pytest.mark.parametrize("form", FORMS, ids=[form.target for form in FORMS])
def test_only_a_balanced_target_gets_the_round_robin_service_config(form: Form) -> None:
    settings = dict(_options(form.target).channel_settings())
    assert ("grpc.service_config" in settings) is form.balanced
    if form.balanced:
        assert json.loads(str(settings["grpc.service_config"])) == {"loadBalancingConfig": [{"round_robin": {}}]}


def test_a_plain_address_keeps_the_channel_settings_it_had() -> None:
    assert [name for name, _ in _options("10.1.2.3:50051").channel_settings()] == [
        "grpc.max_receive_message_length", "grpc.max_send_message_length", "grpc.primary_user_agent",
    ]


@pytest.mark.parametrize("addr", ["ipv4:127.0.0.1:50051,127.0.0.2:50051", "ipv6:[::1]:50051,[::1]:50052",
                                  "dns:///localhost:50051"])
def test_a_target_of_loopback_addresses_only_is_loopback(addr: str) -> None:
    assert is_loopback(addr)


@pytest.mark.parametrize("addr", ["ipv4:127.0.0.1:50051,10.0.0.2:50051", "dns:///api.internal:50051", "ipv4:"])
def test_a_target_with_one_address_off_this_machine_is_not_loopback(addr: str) -> None:
    assert not is_loopback(addr)


_MOST_CALLS = 200  # a pick-first channel would send every one of them to the same server


def _found(_request: Any, _context: Any) -> api.GetMigrationResponse:
    return api.GetMigrationResponse(migration=pb.Migration(migration_id="m-1"))


@pytest.fixture
def two_servers() -> Iterator[tuple[list[ScriptedService], str]]:
    """Two scripted services on loopback ports, and the ``ipv4:`` list naming both."""
    servicers, servers, ports = [], [], []
    for _ in range(2):
        servicer = ScriptedService(scripts={"GetMigration": [_found]})
        server = grpc.server(futures.ThreadPoolExecutor(max_workers=2))
        service.add_MigrationServiceServicer_to_server(servicer, server)
        ports.append(server.add_insecure_port("127.0.0.1:0"))
        server.start()
        servicers.append(servicer)
        servers.append(server)
    yield servicers, "ipv4:" + ",".join(f"127.0.0.1:{port}" for port in ports)
    for server in servers:
        server.stop(grace=None)


def test_the_sync_client_sends_calls_to_every_address_of_the_list(
        two_servers: tuple[list[ScriptedService], str]) -> None:
    servicers, target = two_servers
    with SubshiftClient(target, token="t0k3n") as client:  # loopback only: a token in clear is allowed
        # The first calls may all go to the address that connected first; once both are ready they alternate.
        for _ in range(_MOST_CALLS):
            client.get_migration("m-1")
            if all(servicer.calls for servicer in servicers):
                break
    assert all(servicer.calls for servicer in servicers)


def test_the_asyncio_client_sends_calls_to_every_address_of_the_list(
        two_servers: tuple[list[ScriptedService], str]) -> None:
    servicers, target = two_servers

    async def calls() -> None:
        async with AsyncSubshiftClient(target, token="t0k3n") as client:
            for _ in range(_MOST_CALLS):
                await client.get_migration("m-1")
                if all(servicer.calls for servicer in servicers):
                    break

    asyncio.run(calls())
    assert all(servicer.calls for servicer in servicers)

