"""Loader of a repository's ``subjects.yaml``: topics, subjects, schemas, compatibility modes.

The manifest is the single owner of these facts. Tools that work on a repository's contracts
(the gate, codegen, publish) read it here, from the repository ``subshift_contracts_core.repository``
finds; running services read the copy the generator bakes into the client package. Schema paths
are relative to the folder holding the manifest. The schema is documented in gate/README.md
("The manifest"); an error names the line of ``subjects.yaml`` at fault.
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from subshift_contracts_core.errors import ContractError
from subshift_contracts_core.manifest_lines import describe_errors
from subshift_contracts_core.subjects import Strategy, SubjectSpec, read_schema, subject_name

__all__ = [
    "CompatibilityModeName",
    "KeySpec",
    "Manifest",
    "SubjectSpec",
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
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class _AvroPart(_Strict):
    """What a key or a value needs when it is Avro: its schema, how its subject is named, its mode."""

    subject: str | None = None
    schema_file: str | None = Field(default=None, alias="schema")
    # Files defining named types this schema uses by name, in the order they must be known.
    references: tuple[str, ...] = ()
    strategy: Strategy = "TopicName"
    compatibility: CompatibilityModeName | None = None

    @field_validator("strategy", mode="before")
    @classmethod
    def _short_strategy(cls, value: object) -> object:
        # Confluent spells them TopicNameStrategy etc.; both spellings mean the same.
        return value.removesuffix("Strategy") if isinstance(value, str) else value


class KeySpec(_AvroPart):
    format: Literal["string", "bytes", "avro"]
    # The value field the record key is taken from (producers key by it, so one user's
    # events stay on one partition, in order). Only for Avro-valued topics.
    field: str | None = None


class ValueSpec(_AvroPart):
    format: Literal["avro", "bytes"]


class TopicSpec(_Strict):
    name: str
    description: str = ""
    key: KeySpec = KeySpec(format="bytes")
    value: ValueSpec
    # Kafka's own defaults; a repository that only runs the gate need not state them.
    partitions: int = Field(default=1, ge=1)
    replication_factor: int = Field(default=1, ge=1)
    retention_ms: int = Field(default=604_800_000, ge=-1)
    dead_letter_topic: str | None = None

    @property
    def parts(self) -> tuple[tuple[Literal["key", "value"], KeySpec | ValueSpec], ...]:
        """The key and the value, each with its role."""
        return (("key", self.key), ("value", self.value))

    @model_validator(mode="after")
    def _avro_parts_name_a_schema(self) -> TopicSpec:
        for role, part in self.parts:
            if part.format == "avro" and not part.schema_file:
                raise ValueError(f"topic {self.name!r}: an avro {role} needs a schema file (`schema:`)")
            if part.format != "avro" and (part.schema_file or part.subject or part.references):
                raise ValueError(f"topic {self.name!r}: a {part.format} {role} has no schema, subject or references")
        return self


class Manifest(_Strict):
    version: Literal[1]
    default_compatibility: CompatibilityModeName = "BACKWARD_TRANSITIVE"
    topics: tuple[TopicSpec, ...]
    # The folder holding subjects.yaml; schema paths are relative to it.
    root: Path = Field(exclude=True)

    @model_validator(mode="after")
    def _check_references(self) -> Manifest:
        names = [topic.name for topic in self.topics]
        for topic in self.topics:
            if names.count(topic.name) > 1:
                raise ValueError(f"topic {topic.name!r} is listed twice")
            for role, part in topic.parts:
                if part.strategy == "TopicName" and part.subject not in (None, f"{topic.name}-{role}"):
                    raise ValueError(f"topic {topic.name!r}: {role} subject must be {topic.name + '-' + role!r} "
                                     f"(TopicNameStrategy), not {part.subject!r}")
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

    @cached_property
    def subjects(self) -> tuple[SubjectSpec, ...]:
        """Every Avro subject (keys and values), with its schema file, references and mode.

        Raises:
            ContractError: a schema file is missing or not JSON, two parts name one subject with different
                schemas, or a stated subject differs from the one its strategy gives.
        """
        found: dict[str, SubjectSpec] = {}
        for topic in self.topics:
            for role, part in topic.parts:
                if part.format != "avro" or part.schema_file is None:
                    continue
                path = self.root / part.schema_file
                name = subject_name(part.strategy, topic.name, role, read_schema(path))
                if part.subject is not None and part.subject != name:
                    raise ContractError(f"{self.root / 'subjects.yaml'}: topic {topic.name!r} {role}: subject "
                                        f"{part.subject!r} differs from {name!r}, the name {part.strategy}Strategy "
                                        "gives; drop `subject:` or correct it")
                spec = SubjectSpec(name=name, topic=topic.name, role=role, schema_path=path,
                                   references=tuple(self.root / ref for ref in part.references),
                                   mode=part.compatibility or self.default_compatibility)
                if name in found and found[name].schema_path != path:
                    raise ContractError(f"{self.root / 'subjects.yaml'}: subject {name!r} is given two schema "
                                        f"files ({found[name].schema_path} and {path})")
                found.setdefault(name, spec)
        return tuple(found.values())

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
        return read_schema(self.schema_path(topic))

    def resolved_value_schema(self, topic: TopicSpec) -> dict[str, Any]:
        """The value schema with the named types it references defined in place (see ``references``).

        Raises:
            ContractError: a file is missing or not JSON, or a referenced file is never used.
        """
        from subshift_contracts_core.references import inline_references

        schema = self.value_schema(topic)
        referenced = [read_schema(self.root / path) for path in topic.value.references]
        if not referenced:
            return schema
        resolved: dict[str, Any] = inline_references(schema, referenced, source=str(self.schema_path(topic)))
        return resolved


def load_manifest(root: Path) -> Manifest:
    """Read and check ``<root>/subjects.yaml`` (``root`` is the folder holding it).

    Raises:
        ContractError: the file is missing, not YAML, or breaks the manifest's rules (the message names the line).
    """
    path = root / "subjects.yaml"
    try:
        text = path.read_text(encoding="utf-8")
        raw = yaml.safe_load(text)
    except FileNotFoundError as error:
        raise ContractError(f"{path} does not exist") from error
    except yaml.YAMLError as error:
        raise ContractError(f"{path}: not valid YAML: {error}") from error
    if not isinstance(raw, dict):
        raise ContractError(f"{path}: expected a mapping at the top level")
    try:
        return Manifest.model_validate({**raw, "root": root})
    except ValidationError as error:
        raise ContractError(describe_errors(path, text, error)) from None
