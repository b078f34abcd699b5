"""The client library's errors: one root, so callers can catch everything it raises on purpose.

Undecodable records are *not* errors: consumers return them as ``Undecodable`` values (see
``subshift_client.decoded``) so they can be dead-lettered instead of lost.
"""

from __future__ import annotations

__all__ = ["ClientError", "KafkaClientError", "RegistryUnavailableError", "SchemaNotRegisteredError"]


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
