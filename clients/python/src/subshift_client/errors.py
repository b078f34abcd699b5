"""The client library's errors: one root, so callers can catch everything it raises on purpose.

Undecodable records are *not* errors: consumers return them as ``Undecodable`` values (see
``subshift_client.decoded``) so they can be dead-lettered instead of lost.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from subshift_client.decoded import UndecodableReason

__all__ = [
    "ClientError",
    "KafkaClientError",
    "RegistryUnavailableError",
    "SchemaNotRegisteredError",
    "UndecodableValueError",
    "UnknownMethodError",
    "UnknownSchemaIdError",
]


class ClientError(Exception):
    """Root of every error ``subshift_client`` raises on purpose."""


class SchemaNotRegisteredError(ClientError):
    """The record's schema is not registered under its subject (run ``subshift contracts publish``)."""


class RegistryUnavailableError(ClientError):
    """The Schema Registry could not answer; ``retryable`` says whether trying again may help."""

    def __init__(self, message: str, *, retryable: bool, status: int | None = None) -> None:
        super().__init__(message)
        self.retryable = retryable
        self.status = status


class KafkaClientError(ClientError):
    """Kafka reported an error; ``code`` is librdkafka's error name, ``retryable`` its own verdict."""

    def __init__(self, message: str, *, code: str, retryable: bool, fatal: bool = False) -> None:
        super().__init__(message)
        self.code = code
        self.retryable = retryable
        self.fatal = fatal


class UnknownSchemaIdError(ClientError, LookupError):
    """The registry has no schema with this id (the message can never be decoded here)."""


class UnknownMethodError(ClientError, LookupError):
    """The method is not in any service this client package knows."""


class UndecodableValueError(ClientError, ValueError):
    """A value that can never be decoded; ``reason`` is one of ``UndecodableReason``."""

    def __init__(self, reason: UndecodableReason, detail: str, schema_id: int | None = None) -> None:
        super().__init__(detail)
        self.reason: UndecodableReason = reason
        self.detail = detail
        self.schema_id = schema_id
