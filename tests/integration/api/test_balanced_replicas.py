"""One client's calls spread evenly over API replicas: three ``subshift serve api`` processes behind one
address-list target (what a headless Service's DNS answer gives a ``dns:///`` client), the Python client's own
round-robin channel, and each process's Prometheus counter of the calls it served."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from api.served_api import ServedApi, serve_apis
from subshift.api.auth import Role
from subshift.api.tokens import mint_dev_token
from subshift.config import Settings
from subshift_client import SubshiftClient

REPLICAS = 3
CALLS = 3000
TOLERANCE = 0.20  # of each replica's fair share: the first calls go to whichever replica connected first


@pytest.fixture(scope="module")
def replicas(api_settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[ServedApi]]:
    logs = tmp_path_factory.mktemp("replicas")
    # Health on the API port only: no derived port + 1 to collide with another replica's ports.
    with serve_apis(api_settings, [logs / f"api-{k}.log" for k in range(REPLICAS)],
                    SUBSHIFT_API_HEALTH_ADDR="off") as served:
        yield served


def _addresses(replicas: list[ServedApi]) -> str:
    return "ipv4:" + ",".join(replica.target for replica in replicas)


def test_one_clients_get_migration_calls_spread_evenly_over_every_replica(
        replicas: list[ServedApi], api_settings: Settings) -> None:
    token = mint_dev_token(api_settings.auth, role=Role.OPERATOR, subject="balance", ttl_seconds=600)
    # Loopback addresses only, so the token may go without TLS.
    with SubshiftClient(_addresses(replicas), token=token) as client:
        created = client.create_migration(b"user_id,current_offer,target_offer\nuser0000,basic,premium\n",
                                          description="round robin")
        migration_id = created.migration.migration_id
        before = [replica.calls("GetMigration") for replica in replicas]
        for _ in range(CALLS):
            assert client.get_migration(migration_id).migration_id == migration_id
    served = [replica.calls("GetMigration") - earlier for replica, earlier in zip(replicas, before, strict=True)]

    assert sum(served) == CALLS, f"every call is counted once, by the replica that served it: {served}"
    fair = CALLS / REPLICAS
    for replica, count in zip(replicas, served, strict=True):
        assert abs(count - fair) <= TOLERANCE * fair, f"{replica.target} served {count} of {CALLS}: {served}"
