"""Schema Registry look-ups the fast codec needs: a record's schema id, and writer schemas by id.

Both are cached for the life of the object: a schema id never changes meaning, and a record
class's schema is fixed at generation time.
"""

from __future__ import annotations

import json
from typing import Any

from confluent_kafka.schema_registry import Schema, SchemaRegistryClient
from confluent_kafka.schema_registry.error import SchemaRegistryError

from subshift_client.avro_runtime import AvroRecord
from subshift_client.errors import RegistryUnavailableError, SchemaNotRegisteredError, UnknownSchemaIdError

__all__ = ["UnknownSchemaIdError", "WriterSchemas", "registered_schema_id"]


def registered_schema_id(registry: SchemaRegistryClient, subject: str, record_type: type[AvroRecord],
                         *, register: bool = False) -> int:
    """The id of ``record_type``'s schema under ``subject``, registering it first if ``register``.

    Raises:
        SchemaNotRegisteredError: the schema is not under the subject and ``register`` is false.
        RegistryUnavailableError: the registry failed or refused for another reason.
    """
    schema = Schema(record_type.SCHEMA_JSON, "AVRO")
    try:
        if register:
            return int(registry.register_schema(subject, schema))
        found = registry.lookup_schema(subject, schema).schema_id
        if found is None:
            raise RegistryUnavailableError(f"registry returned no id for subject {subject!r}", retryable=False)
        return int(found)
    except SchemaRegistryError as error:
        if error.http_status_code == 404:
            raise SchemaNotRegisteredError(
                f"{record_type.FULL_NAME} is not registered under subject {subject!r}; "
                f"run `subshift contracts publish` (registry said: {error.error_message})"
            ) from error
        raise _unavailable(error) from error
    except Exception as error:  # transport failures come from the HTTP client, untyped here
        raise RegistryUnavailableError(f"schema registry unreachable: {error}", retryable=True) from error


class WriterSchemas:
    """Writer schemas fetched by id once, kept as parsed JSON."""

    def __init__(self, registry: SchemaRegistryClient) -> None:
        self._registry = registry
        self._by_id: dict[int, dict[str, Any]] = {}

    def get(self, schema_id: int) -> dict[str, Any]:
        """The Avro schema registered with ``schema_id``.

        Raises:
            UnknownSchemaIdError: no such id, or it names a non-Avro schema.
            RegistryUnavailableError: the registry could not answer.
        """
        cached = self._by_id.get(schema_id)
        if cached is not None:
            return cached
        try:
            schema = self._registry.get_schema(schema_id)
        except SchemaRegistryError as error:
            if error.http_status_code == 404:
                raise UnknownSchemaIdError(f"schema id {schema_id} is not in the registry") from error
            raise _unavailable(error) from error
        except Exception as error:  # transport failures come from the HTTP client, untyped here
            raise RegistryUnavailableError(f"schema registry unreachable: {error}", retryable=True) from error
        if (schema.schema_type or "AVRO") != "AVRO" or schema.schema_str is None:
            raise UnknownSchemaIdError(f"schema id {schema_id} is a {schema.schema_type} schema, not Avro")
        parsed: dict[str, Any] = json.loads(schema.schema_str)
        self._by_id[schema_id] = parsed
        return parsed


def _unavailable(error: SchemaRegistryError) -> RegistryUnavailableError:
    status = error.http_status_code
    retryable = status < 0 or status >= 500 or status == 429
    return RegistryUnavailableError(f"schema registry error {status}/{error.error_code}: {error.error_message}",
                                    retryable=retryable, status=status)
