"""Loader of a repository's ``subjects.yaml``: topics, subjects, schemas, compatibility modes.

The manifest is the single owner of these facts. Tools that work on a repository's contracts
(the gate, codegen, publish) read it here, from the repository ``subshift_contracts.repository``
finds; running services read the copy the generator bakes into the client package. Schema paths
are relative to the folder holding the manifest.
"""

from __future__ import annotations

import json
from functools import cached_property
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from subshift_contracts.errors import ContractError

__all__ = [
    "CompatibilityModeName",
    "KeySpec",
    "Manifest",
    "TopicSpec",
    "ValueSpec",
    "load_manifest",
]

CompatibilityModeName = Literal[
    "BACKWARD",
    "BACKWARD_TRANSITIVE",
    "FORWARD",
    "FORWARD_TRANSITIVE",
    "FULL",
    "FULL_TRANSITIVE",
    "NONE",
]


class _Strict(BaseModel):
    # A typo in the manifest must fail at load, not be ignored.
    model_config = ConfigDict(extra="forbid", frozen=True)


class KeySpec(_Strict):
    format: Literal["string", "bytes"]
    # The value field the record key is taken from (producers key by it, so one user's
    # events stay on one partition, in order). Only for Avro-valued topics.
    field: str | None = None


class ValueSpec(_Strict):
    format: Literal["avro", "bytes"]
    subject: str | None = None
    schema_file: str | None = Field(default=None, alias="schema")
    compatibility: CompatibilityModeName | None = None


class TopicSpec(_Strict):
    name: str
    description: str = ""
    key: KeySpec
    value: ValueSpec
    partitions: int = Field(ge=1)
    replication_factor: int = Field(ge=1)
    retention_ms: int = Field(ge=-1)
    dead_letter_topic: str | None = None


class Manifest(_Strict):
    version: Literal[1]
    default_compatibility: CompatibilityModeName = "BACKWARD_TRANSITIVE"
    topics: tuple[TopicSpec, ...]
    # The folder holding subjects.yaml; schema paths are relative to it.
    root: Path = Field(exclude=True)

    @model_validator(mode="after")
    def _check_references(self) -> Manifest:
        names = {topic.name for topic in self.topics}
        for topic in self.topics:
            if topic.value.format == "avro":
                if topic.value.subject != f"{topic.name}-value":
                    raise ValueError(
                        f"topic {topic.name!r}: value subject must be {topic.name + '-value'!r} "
                        f"(TopicNameStrategy), not {topic.value.subject!r}"
                    )
                if not topic.value.schema_file:
                    raise ValueError(f"topic {topic.name!r}: an avro value needs a schema file")
            dlt = topic.dead_letter_topic
            if dlt is not None:
                if dlt not in names:
                    raise ValueError(f"topic {topic.name!r}: dead-letter topic {dlt!r} is not in the manifest")
                if self.topic(dlt).partitions != topic.partitions:
                    raise ValueError(
                        f"topic {topic.name!r}: dead-letter topic {dlt!r} needs the same partition count "
                        f"({topic.partitions}) so a record keeps its partition number"
                    )
        return self

    def topic(self, name: str) -> TopicSpec:
        """The topic called ``name``.

        Raises:
            ContractError: no such topic in the manifest.
        """
        for topic in self.topics:
            if topic.name == name:
                return topic
        raise ContractError(f"topic {name!r} is not in {self.root / 'subjects.yaml'}")

    @cached_property
    def avro_topics(self) -> tuple[TopicSpec, ...]:
        """Topics whose value is Avro with a registered subject."""
        return tuple(t for t in self.topics if t.value.format == "avro")

    def compatibility(self, topic: TopicSpec) -> CompatibilityModeName:
        return topic.value.compatibility or self.default_compatibility

    def schema_path(self, topic: TopicSpec) -> Path:
        """Path of the topic's value schema file.

        Raises:
            ContractError: the topic's value has no schema file.
        """
        if topic.value.schema_file is None:
            raise ContractError(f"topic {topic.name!r} has no value schema")
        return self.root / topic.value.schema_file

    def value_schema(self, topic: TopicSpec) -> dict[str, Any]:
        """The parsed Avro schema of the topic's value.

        Raises:
            ContractError: the file is missing or not JSON.
        """
        path = self.schema_path(topic)
        try:
            parsed: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError as error:
            raise ContractError(f"schema file {path} does not exist") from error
        except json.JSONDecodeError as error:
            raise ContractError(f"{path}:{error.lineno}:{error.colno}: not valid JSON: {error.msg}") from error
        return parsed


def load_manifest(root: Path) -> Manifest:
    """Read and check ``<root>/subjects.yaml`` (``root`` is the folder holding it).

    Raises:
        ContractError: the file is missing, not YAML, or breaks the manifest's rules.
    """
    path = root / "subjects.yaml"
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError as error:
        raise ContractError(f"{path} does not exist") from error
    except yaml.YAMLError as error:
        raise ContractError(f"{path}: not valid YAML: {error}") from error
    if not isinstance(raw, dict):
        raise ContractError(f"{path}: expected a mapping at the top level")
    try:
        return Manifest.model_validate({**raw, "root": root})
    except ValidationError as error:
        raise ContractError(f"{path}: {error}") from error
