"""Subject names: the three strategies of Confluent's serializers, and the subject a manifest part gives.

- ``TopicName``: ``<topic>-key`` / ``<topic>-value`` (one schema per topic);
- ``RecordName``: the record's full name (one schema per record type, across topics);
- ``TopicRecordName``: ``<topic>-<record full name>`` (several record types in one topic).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from subshift_contracts_core.errors import ContractError

__all__ = ["Strategy", "SubjectSpec", "full_name", "read_schema", "subject_name"]

Strategy = Literal["TopicName", "RecordName", "TopicRecordName"]


@dataclass(frozen=True)
class SubjectSpec:
    """One Avro subject of the manifest: where its schema and referenced types are, and its mode."""

    name: str
    topic: str
    role: Literal["key", "value"]
    schema_path: Path
    references: tuple[Path, ...]
    mode: str


def subject_name(strategy: Strategy, topic: str, role: str, schema: dict[str, Any]) -> str:
    """The subject ``strategy`` gives the ``role`` part (key or value) of ``topic`` whose schema is ``schema``."""
    if strategy == "TopicName":
        return f"{topic}-{role}"
    if strategy == "RecordName":
        return full_name(schema)
    return f"{topic}-{full_name(schema)}"


def full_name(schema: dict[str, Any]) -> str:
    """The full name (``namespace.name``) of a named schema.

    Raises:
        ContractError: the schema has no name (RecordName strategies need a record, enum or fixed).
    """
    name = schema.get("name") if isinstance(schema, dict) else None
    if not isinstance(name, str):
        raise ContractError("a RecordName or TopicRecordName subject needs a named schema (a record, enum or fixed)")
    namespace = schema.get("namespace")
    return name if "." in name or not namespace else f"{namespace}.{name}"


def read_schema(path: Path) -> dict[str, Any]:
    """The parsed Avro schema JSON in ``path``.

    Raises:
        ContractError: the file is missing or not JSON (with line and column).
    """
    try:
        parsed: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as error:
        raise ContractError(f"schema file {path} does not exist") from error
    except json.JSONDecodeError as error:
        raise ContractError(f"{path}:{error.lineno}:{error.colno}: not valid JSON: {error.msg}") from error
    return parsed
