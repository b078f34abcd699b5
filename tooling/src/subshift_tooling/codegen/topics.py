"""The manifest → ``topics.py`` (every topic's facts as constants) and ``clients.py`` (typed
producer, consumer and serdes per Avro topic).

Running services import topic names, subjects and partition counts from the generated
``subshift_client.topics``; only tools that work on the contracts tree read the YAML itself.
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath

from subshift.contracts_manifest import Manifest, TopicSpec
from subshift.errors import ContractError
from subshift_tooling.codegen.avro_records import record_module_name
from subshift_tooling.codegen.render import Output, camel_to_upper_snake, module_docstring

__all__ = ["render_clients", "render_topics", "topic_class_prefix", "topic_constant"]

_SOURCE = "contracts/subjects.yaml"


def topic_constant(name: str) -> str:
    """``user-offers.DLT`` → ``USER_OFFERS_DLT``."""
    return camel_to_upper_snake(name)


def topic_class_prefix(name: str) -> str:
    """``user-offers`` → ``UserOffers``."""
    return "".join(part.capitalize() for part in re.split(r"[^0-9A-Za-z]+", name) if part)


def render_topics(manifest: Manifest) -> Output:
    """``topics.py``: a ``TopicSpec`` constant per topic, ``ALL_TOPICS`` and ``topic(name)``."""
    lines = [module_docstring("Every topic of the manifest: names, subjects, modes, partitions, dead-letter topics.",
                              _SOURCE),
             "from __future__ import annotations", "", "from typing import Final", "",
             "from subshift_client.topic_spec import TopicSpec, find_topic", "",
             f"DEFAULT_COMPATIBILITY: Final = {manifest.default_compatibility!r}", ""]
    for topic in manifest.topics:
        avro = topic.value.format == "avro"
        fields = {
            "name": topic.name, "description": topic.description, "key_format": topic.key.format,
            "key_field": topic.key.field, "value_format": topic.value.format, "value_subject": topic.value.subject,
            "value_schema_file": topic.value.schema_file,
            "compatibility": manifest.compatibility(topic) if avro else None,
            "partitions": topic.partitions, "replication_factor": topic.replication_factor,
            "retention_ms": topic.retention_ms, "dead_letter_topic": topic.dead_letter_topic,
        }
        lines.append(f"{topic_constant(topic.name)}: Final = TopicSpec(")
        lines += [f"    {key}={value!r}," for key, value in fields.items()]
        lines += [")", ""]
    constants = [topic_constant(t.name) for t in manifest.topics]
    lines += [f"ALL_TOPICS: Final[tuple[TopicSpec, ...]] = ({', '.join(constants)},)", "", "",
              "def topic(name: str) -> TopicSpec:",
              '    """The topic called ``name``.', "", "    Raises:",
              "        KeyError: no such topic in the manifest.", '    """',
              "    return find_topic(ALL_TOPICS, name)", "", "",
              "__all__ = [" + ", ".join(repr(n) for n in ["ALL_TOPICS", "DEFAULT_COMPATIBILITY", *constants, "topic"])
              + "]", ""]
    return {PurePosixPath("topics.py"): "\n".join(lines)}


def render_clients(manifest: Manifest) -> Output:
    """``clients.py``: ``<Topic>Producer``, ``<Topic>Consumer`` and ``<topic>_serdes`` per Avro topic.

    Raises:
        ContractError: an Avro topic names no string key field, or one its record lacks.
    """
    imports: set[str] = set()
    by_subject: list[str] = []
    body: list[str] = []
    exported: list[str] = []
    for topic in manifest.avro_topics:
        record = str(manifest.value_schema(topic)["name"])
        key_field = _key_field(manifest, topic)
        prefix, constant = topic_class_prefix(topic.name), topic_constant(topic.name)
        snake = constant.lower()
        imports.add(f"from subshift_client._generated.records.{record_module_name(topic.value.schema_file or '')} "
                    f"import {record}, {record}Datum")
        imports.add(f"from subshift_client._generated.topics import {constant}")
        body += [
            "", "",
            f"def _{snake}_key(record: {record}) -> str:",
            f"    return record.{key_field}",
            "", "",
            f"class {prefix}Producer(TypedProducer[{record}]):",
            f'    """Produces ``{record}`` to ``{topic.name}``, keyed by ``{key_field}``."""',
            "",
            "    def __init__(self, conf: Mapping[str, Any], registry: SchemaRegistryClient, *,"
            " register: bool = False, topic_prefix: str | None = None) -> None:",
            f"        super().__init__(conf, registry, topic={constant}, record_type={record},"
            f" key_of=_{snake}_key, register=register, topic_prefix=topic_prefix)",
            "", "",
            f"class {prefix}Consumer(TypedConsumer[{record}, {record}Datum]):",
            f'    """Consumes ``{topic.name}`` into ``{record}`` values (or ``Undecodable`` ones)."""',
            "",
            "    def __init__(self, conf: Mapping[str, Any], registry: SchemaRegistryClient, *,"
            " subscribe: bool = True, topic_prefix: str | None = None) -> None:",
            f"        super().__init__(conf, registry, topic={constant}, record_type={record}, subscribe=subscribe,"
            " topic_prefix=topic_prefix)",
            "", "",
            f"def {snake}_serdes(registry: SchemaRegistryClient, *, auto_register: bool = False)"
            f" -> AvroSerdes[{record}]:",
            f'    """confluent-kafka serdes for ``{topic.name}`` values."""',
            f"    return avro_serdes(registry, {record}, auto_register=auto_register)",
            "", "",
            f"def {snake}_decoder(registry: SchemaRegistryClient) -> FastAvroDecoder[{record}]:",
            f'    """The fast decoder for ``{topic.name}`` values (writer schemas fetched by id, cached)."""',
            f"    return FastAvroDecoder({record}, WriterSchemas(registry))",
        ]
        exported += [f"{prefix}Consumer", f"{prefix}Producer", f"{snake}_decoder", f"{snake}_serdes"]
        by_subject.append(f"    {topic.value.subject!r}: {record},")
    runtime = ["from subshift_client.avro_runtime import AvroRecord",
               "from subshift_client.consumer import TypedConsumer",
               "from subshift_client.fast_avro import FastAvroDecoder",
               "from subshift_client.producer import TypedProducer",
               "from subshift_client.registry import WriterSchemas",
               "from subshift_client.serdes import AvroSerdes, avro_serdes"]
    generated = sorted(imports)
    lines = [module_docstring("Typed producers, consumers and serdes, one set per Avro topic of the manifest.",
                              _SOURCE),
             "from __future__ import annotations", "",
             "from collections.abc import Mapping", "from typing import Any, Final", "",
             "from confluent_kafka.schema_registry import SchemaRegistryClient", "",
             *generated, *runtime, "",
             "__all__ = [" + ", ".join(repr(n) for n in sorted([*exported, "RECORDS_BY_SUBJECT"])) + "]",
             "", "# Which record class each registry subject's schema generates.",
             "RECORDS_BY_SUBJECT: Final[Mapping[str, type[AvroRecord]]] = {", *by_subject, "}",
             *body, ""]
    return {PurePosixPath("clients.py"): "\n".join(lines)}


def _key_field(manifest: Manifest, topic: TopicSpec) -> str:
    field = topic.key.field
    if field is None:
        raise ContractError(f"{_SOURCE}: topic {topic.name!r} needs key.field (the value field records are keyed by)")
    fields = {f["name"]: f["type"] for f in manifest.value_schema(topic)["fields"]}
    kind = fields.get(field)
    if kind not in ("string", {"type": "string"}) and not (isinstance(kind, dict) and kind.get("type") == "string"):
        raise ContractError(f"{_SOURCE}: topic {topic.name!r}: key.field {field!r} must be a non-null string field "
                            f"of {topic.value.schema_file}, found {kind!r}")
    return field
