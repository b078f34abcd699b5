"""The facts about one topic, as the manifest (``contracts/subjects.yaml``) states them.

Instances live in the generated ``subshift_client.topics``; nothing else spells topic names.
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass
from typing import Literal

__all__ = ["TOPIC_PREFIX_ENV", "TopicSpec", "find_topic", "with_prefix"]

# A deployment's prefix for every topic name (isolated test or staging topics); empty in production.
TOPIC_PREFIX_ENV = "SUBSHIFT_KAFKA_TOPIC_PREFIX"


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


def with_prefix(topic: TopicSpec, prefix: str | None = None) -> TopicSpec:
    """``topic`` named as a deployment names it: ``prefix`` (default ``SUBSHIFT_KAFKA_TOPIC_PREFIX``, else none)
    before its name and its dead-letter topic's; the registry subject stays the manifest's, as the server's."""
    prefix = os.environ.get(TOPIC_PREFIX_ENV, "") if prefix is None else prefix
    if not prefix:
        return topic
    dead_letter = topic.dead_letter_topic
    return dataclasses.replace(topic, name=prefix + topic.name,
                               dead_letter_topic=prefix + dead_letter if dead_letter is not None else None)
