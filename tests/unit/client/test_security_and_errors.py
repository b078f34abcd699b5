"""A token never goes in clear to another machine unless the caller says so; a token provider is asked on every
call; every error the library raises on purpose is a ``ClientError`` exported at the top level."""

from __future__ import annotations

import importlib
import inspect
import pickle
import pkgutil
from importlib import metadata
from itertools import count
from typing import Any

import pytest
from scripted_service import ScriptedService

import subshift_client
from subshift_client import ClientError, InsecureChannelError, SubshiftClient, UploadSourceError
from subshift_client._generated.subshift.migration.v1 import migration_pb2 as pb
from subshift_client._generated.subshift.migration.v1 import migration_service_pb2 as api
from subshift_client.channel import is_loopback


@pytest.mark.parametrize("addr", ["10.1.2.3:50051", "api.example.com:443", "dns:///api.example.com:50051"])
def test_a_token_is_not_sent_in_clear_to_another_machine(addr: str) -> None:
    with pytest.raises(InsecureChannelError, match="insecure=True"):
        SubshiftClient(addr, token="secret")


@pytest.mark.parametrize("addr", ["127.0.0.1:50051", "localhost:50051", "[::1]:50051", "unix:/tmp/api.sock"])
def test_loopback_addresses_are_loopback(addr: str) -> None:
    assert is_loopback(addr)


def test_insecure_true_or_tls_or_no_token_allow_another_machine() -> None:
    SubshiftClient("10.1.2.3:50051", token="secret", insecure=True).close()
    SubshiftClient("10.1.2.3:50051", token="secret", tls=True).close()
    SubshiftClient("10.1.2.3:50051").close()


def _found(_request: Any, _context: Any) -> api.GetMigrationResponse:
    return api.GetMigrationResponse(migration=pb.Migration(migration_id="m-1"))


def test_a_token_provider_is_asked_before_every_call(scripted: tuple[ScriptedService, str]) -> None:
    servicer, addr = scripted
    servicer.scripts["GetMigration"] = [_found]
    issued = count(1)
    with SubshiftClient(addr, token=lambda: f"token-{next(issued)}") as client:
        client.get_migration("m-1")
        client.get_migration("m-1")
    assert [call[2]["authorization"] for call in servicer.calls] == ["Bearer token-1", "Bearer token-2"]


def test_every_call_says_which_client_version_made_it(scripted: tuple[ScriptedService, str]) -> None:
    servicer, addr = scripted
    servicer.scripts["GetMigration"] = [_found]
    with SubshiftClient(addr) as client:
        client.get_migration("m-1")
    assert f"subshift-client-python/{subshift_client.__version__}" in servicer.calls[0][2]["user-agent"]


def test_the_version_is_the_distributions() -> None:
    assert subshift_client.__version__ == metadata.version("subshift-client")


def test_csv_text_given_as_a_path_says_so(scripted: tuple[ScriptedService, str]) -> None:
    _, addr = scripted
    with SubshiftClient(addr) as client, pytest.raises(UploadSourceError, match="CSV text where a path"):
        client.create_migration("user_id,current_offer,target_offer\nu1,A,B\n")


def test_a_missing_file_says_which(scripted: tuple[ScriptedService, str]) -> None:
    _, addr = scripted
    with SubshiftClient(addr) as client, pytest.raises(UploadSourceError, match=r"moves\.csv"):
        client.create_migration("no/such/dir/moves.csv")


def _package_errors() -> set[type[BaseException]]:
    found: set[type[BaseException]] = set()
    for module_info in pkgutil.walk_packages(subshift_client.__path__, "subshift_client."):
        if "._generated" in module_info.name:
            continue
        module = importlib.import_module(module_info.name)
        for _, value in inspect.getmembers(module, inspect.isclass):
            if issubclass(value, BaseException) and value.__module__.startswith("subshift_client"):
                found.add(value)
    return found


def test_every_error_of_the_package_is_a_client_error_exported_at_the_top_level() -> None:
    errors = _package_errors()
    assert {error.__name__ for error in errors if not issubclass(error, ClientError)} == set()
    assert {error.__name__ for error in errors if getattr(subshift_client, error.__name__, None) is not error} == set()


def test_there_is_one_row_violation_type() -> None:
    assert subshift_client.RowViolation is subshift_client.migration_v1.RowViolation
    assert subshift_client.api_errors.RowViolation is subshift_client.RowViolation


def test_errors_name_their_public_path_and_survive_pickling() -> None:
    late = subshift_client.DeadlineExceededError.of("GetMigration", 1.5)
    copied = pickle.loads(pickle.dumps(late))  # noqa: S301 -- bytes this test just made
    assert type(copied) is subshift_client.DeadlineExceededError
    assert (copied.method, copied.limit, copied.code, str(copied)) == (late.method, late.limit, late.code, str(late))
    assert repr(late).startswith("DeadlineExceededError(")
    assert subshift_client.UploadSourceError.__module__ == "subshift_client"
