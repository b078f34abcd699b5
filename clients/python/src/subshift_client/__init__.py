"""Subshift's client library: gRPC stubs for ``MigrationService``, Avro records, topics and Kafka access.

The API client (hand-written): ``SubshiftClient`` uploads CSVs and reads, watches, cancels and
reverts migrations; its failures are ``ApiError`` subclasses from ``subshift_client.api_errors``.

Modules:
- ``subshift_client.migration_v1``: Protobuf messages, enums, ``MigrationServiceStub``, ``required_role_of``.
- ``subshift_client.records``: typed Avro records (``UserOfferMigrationRequested``).
- ``subshift_client.topics``: topic facts from the manifest (``USER_OFFERS``, ``ALL_TOPICS``).
- ``subshift_client.kafka``: typed producers and consumers, serdes, ``Decoded``/``Undecodable``.
- ``subshift_client.wire``: the Confluent wire framing (magic byte + schema id).

Everything under ``subshift_client._generated`` is private and rebuilt by ``subshift contracts generate``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from subshift_client import api_errors, migration_v1, records, topics, wire
from subshift_client.api_errors import ApiError, RowViolation
from subshift_client.client import SubshiftClient, is_terminal
from subshift_client.retrying import RetryPolicy
from subshift_client.upload_source import UploadProgress

if TYPE_CHECKING:
    from subshift_client import kafka

__all__ = [
    "ApiError",
    "RetryPolicy",
    "RowViolation",
    "SubshiftClient",
    "UploadProgress",
    "api_errors",
    "is_terminal",
    "kafka",
    "migration_v1",
    "records",
    "topics",
    "wire",
]


def __getattr__(name: str) -> Any:
    # ``kafka`` brings in confluent-kafka's schema registry client (authlib, httpx: about a second):
    # imported on first use, so an API-only user does not pay for it.
    if name == "kafka":
        import importlib

        return importlib.import_module("subshift_client.kafka")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
