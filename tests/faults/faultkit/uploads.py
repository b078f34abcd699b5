"""Uploads through the real CreateMigration stream of a running ``subshift serve api``."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import grpc

from faultkit.world import World
from subshift_client import migration_v1 as pb

__all__ = ["messages", "upload"]


def messages(csv: bytes, *, chunk: int = 64 * 1024, before_chunk: Callable[[int], None] | None = None,
             **header: object) -> Iterator[pb.CreateMigrationRequest]:
    """The header, then ``csv`` in chunks; ``before_chunk(index)`` runs before each (pacing, faults)."""
    yield pb.CreateMigrationRequest(header=pb.MigrationHeader(**header))  # type: ignore[arg-type]
    for index, start in enumerate(range(0, len(csv), chunk)):
        if before_chunk is not None:
            before_chunk(index)
        yield pb.CreateMigrationRequest(csv_chunk=csv[start:start + chunk])


def upload(world: World, csv: bytes, *, timeout: float = 120, chunk: int = 64 * 1024,
           before_chunk: Callable[[int], None] | None = None, **header: object) -> pb.Migration:
    """Upload ``csv``; returns the migration (raises ``grpc.RpcError`` on a refusal)."""
    with grpc.insecure_channel(world.api_target) as channel:
        stub = pb.MigrationServiceStub(channel)
        response = stub.CreateMigration(messages(csv, chunk=chunk, before_chunk=before_chunk, **header),
                                        metadata=world.token(), timeout=timeout)
    migration: pb.Migration = response.migration
    return migration
