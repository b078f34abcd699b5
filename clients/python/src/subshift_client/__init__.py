"""Subshift's client library: the ``MigrationService`` API client, and (extra ``kafka``) typed Kafka access.

The API client (hand-written): ``SubshiftClient`` (and ``AsyncSubshiftClient`` over ``grpc.aio``) uploads
CSVs and reads, watches, cancels and reverts migrations. Every error the library raises on purpose is a
``ClientError``; failed calls are ``ApiError`` subclasses, all importable from here.

Modules:
- ``subshift_client.migration_v1``: Protobuf messages, enums, ``MigrationServiceStub``, ``required_role_of``.
- ``subshift_client.records``: typed Avro records (``UserOfferMigrationRequested``).
- ``subshift_client.topics``: topic facts from the manifest (``USER_OFFERS``, ``ALL_TOPICS``).
- ``subshift_client.kafka``: typed producers and consumers, serdes, ``Decoded``/``Undecodable`` (extra ``kafka``).
- ``subshift_client.wire``: the Confluent wire framing (magic byte + schema id).
- ``subshift_client.targets``: which gRPC targets are balanced over several replicas (``round_robin``).

Everything under ``subshift_client._generated`` is private and rebuilt by ``subshift contracts generate``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from subshift_client import api_errors, migration_v1, records, topics, wire
from subshift_client._version import __version__
from subshift_client.api_errors import (
    AlreadyExistsError,
    ApiError,
    DeadlineExceededError,
    FailedPreconditionError,
    InvalidArgumentError,
    NotFoundError,
    PermissionDeniedError,
    ResourceExhaustedError,
    RowViolation,
    UnauthenticatedError,
    UnavailableError,
)
from subshift_client.async_client import AsyncSubshiftClient
from subshift_client.channel import InsecureChannelError, TokenSource
from subshift_client.client import SubshiftClient
from subshift_client.errors import (
    ClientError,
    KafkaClientError,
    RegistryUnavailableError,
    SchemaNotRegisteredError,
    UndecodableValueError,
    UnknownMethodError,
    UnknownSchemaIdError,
)
from subshift_client.retrying import RetryPolicy
from subshift_client.states import is_terminal
from subshift_client.upload_source import UnsupportedSourceError, UploadProgress, UploadSourceError
from subshift_client.wire import WireFormatError

if TYPE_CHECKING:
    from subshift_client import kafka

__all__ = [
    "AlreadyExistsError",
    "ApiError",
    "AsyncSubshiftClient",
    "ClientError",
    "DeadlineExceededError",
    "FailedPreconditionError",
    "InsecureChannelError",
    "InvalidArgumentError",
    "KafkaClientError",
    "NotFoundError",
    "PermissionDeniedError",
    "RegistryUnavailableError",
    "ResourceExhaustedError",
    "RetryPolicy",
    "RowViolation",
    "SchemaNotRegisteredError",
    "SubshiftClient",
    "TokenSource",
    "UnauthenticatedError",
    "UnavailableError",
    "UndecodableValueError",
    "UnknownMethodError",
    "UnknownSchemaIdError",
    "UnsupportedSourceError",
    "UploadProgress",
    "UploadSourceError",
    "WireFormatError",
    "__version__",
    "api_errors",
    "is_terminal",
    "kafka",
    "migration_v1",
    "records",
    "topics",
    "wire",
]

# Tracebacks and reprs name the public path (``subshift_client.NotFoundError``), not the private module that
# defines a class; pickling still finds each class here.
for _name in __all__:
    _public = globals().get(_name)
    if isinstance(_public, type):
        _public.__module__ = __name__
del _name, _public


def __getattr__(name: str) -> Any:
    # ``kafka`` brings in confluent-kafka's schema registry client (authlib, httpx: about a second), and
    # needs the ``kafka`` extra: imported on first use, so an API-only user neither pays nor installs it.
    if name == "kafka":
        import importlib

        return importlib.import_module("subshift_client.kafka")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
