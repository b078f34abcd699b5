"""The facts about one topic, as the manifest (``contracts/subjects.yaml``) states them.

Instances live in the generated ``subshift_client.topics``; nothing else spells topic names.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = ["TopicSpec", "find_topic"]


@dataclass(frozen=True, slots=True, kw_only=True)
class TopicSpec:
    """One topic: its key and value, registry subject, compatibility mode, sizing and dead-letter topic."""

    name: str
    description: str
    key_format: Literal["string", "bytes"]
    key_field: str | None
    value_format: Literal["avro", "bytes"]
    value_subject: str | None
    value_schema_file: str | None
    compatibility: str | None
    partitions: int
    replication_factor: int
    retention_ms: int
    dead_letter_topic: str | None


def find_topic(topics: tuple[TopicSpec, ...], name: str) -> TopicSpec:
    """The topic called ``name``.

    Raises:
        KeyError: no topic of that name in the manifest.
    """
    for topic in topics:
        if topic.name == name:
            return topic
    raise KeyError(f"topic {name!r} is not in the Subshift manifest; known: {', '.join(t.name for t in topics)}")
