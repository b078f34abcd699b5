"""Create the manifest's topics (and their dead-letter topics) or check the ones that exist.

A missing topic is created with the manifest's partitions, replication factor and retention.
An existing one keeps its data: a different retention is corrected in place, but a different
partition count or replication factor is reported, never changed, because adding partitions
moves keys to other partitions and breaks per-user ordering.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Literal

from confluent_kafka import KafkaException
from confluent_kafka.admin import AdminClient, NewTopic  # type: ignore[attr-defined]  # re-exported, not in __all__
from confluent_kafka.admin._config import AlterConfigOpType, ConfigEntry, ConfigResource

from subshift.config import KafkaSettings
from subshift.contracts_manifest import Manifest
from subshift.errors import InfrastructureError
from subshift_client.topic_spec import TopicSpec

__all__ = ["TopicAction", "TopicOutcome", "admin_client", "ensure_topics", "prefixed", "specs_from_manifest"]

TopicAction = Literal["created", "exists", "retention updated", "would create", "would update retention", "differs"]

_RETENTION = "retention.ms"


@dataclass(frozen=True, kw_only=True)
class TopicOutcome:
    """What ensuring did (or would do) to one topic."""

    topic: str
    action: TopicAction
    partitions: int
    message: str = ""

    @property
    def refused(self) -> bool:
        return self.action == "differs"


def admin_client(kafka: KafkaSettings) -> AdminClient:
    """An admin client for the configured cluster."""
    conf: dict[str, str | int | float | bool] = {**kafka.as_librdkafka()}
    return AdminClient(conf)


def specs_from_manifest(manifest: Manifest) -> tuple[TopicSpec, ...]:
    """The manifest's topics as the client library describes them (the same facts as the generated ones)."""
    return tuple(
        # Creating a topic needs no key schema: to the client's topic facts an Avro key is bytes.
        TopicSpec(name=t.name, description=t.description,
                  key_format="bytes" if t.key.format == "avro" else t.key.format, key_field=t.key.field,
                  value_format=t.value.format, value_subject=t.value.subject, value_schema_file=t.value.schema_file,
                  compatibility=manifest.compatibility(t) if t.value.format == "avro" else None,
                  partitions=t.partitions, replication_factor=t.replication_factor, retention_ms=t.retention_ms,
                  dead_letter_topic=t.dead_letter_topic)
        for t in manifest.topics
    )


def prefixed(specs: Sequence[TopicSpec], prefix: str) -> tuple[TopicSpec, ...]:
    """``specs`` renamed with a deployment prefix (dead-letter references too); subjects are unchanged."""
    return tuple(replace(s, name=prefix + s.name,
                         dead_letter_topic=prefix + s.dead_letter_topic if s.dead_letter_topic else None)
                 for s in specs)


def ensure_topics(admin: AdminClient, specs: Sequence[TopicSpec], *, dry_run: bool,
                  timeout: float = 30.0) -> list[TopicOutcome]:
    """Create missing topics and align retention; one outcome per topic, in ``specs`` order.

    Raises:
        InfrastructureError: Kafka is unreachable or refused an operation.
    """
    try:
        existing = admin.list_topics(timeout=timeout).topics
    except KafkaException as error:
        raise InfrastructureError(f"Kafka unreachable listing topics: {error}", retryable=True) from error
    missing = [s for s in specs if s.name not in existing]
    if missing and not dry_run:
        _create(admin, missing, timeout)
    outcomes: dict[str, TopicOutcome] = {
        s.name: TopicOutcome(topic=s.name, action="would create" if dry_run else "created", partitions=s.partitions)
        for s in missing
    }
    present = [s for s in specs if s.name in existing]
    retention = _retention(admin, [s.name for s in present], timeout) if present else {}
    for spec in present:
        metadata = existing[spec.name]
        partitions = len(metadata.partitions)
        replicas = min((len(p.replicas) for p in metadata.partitions.values()), default=0)
        if partitions != spec.partitions or replicas != spec.replication_factor:
            outcomes[spec.name] = TopicOutcome(
                topic=spec.name, action="differs", partitions=partitions,
                message=f"has {partitions} partitions and replication factor {replicas}; the manifest says "
                        f"{spec.partitions} and {spec.replication_factor} (not changed: that would reorder keys)")
        elif retention.get(spec.name) != str(spec.retention_ms):
            if not dry_run:
                _set_retention(admin, spec, timeout)
            outcomes[spec.name] = TopicOutcome(
                topic=spec.name, action="would update retention" if dry_run else "retention updated",
                partitions=partitions, message=f"{_RETENTION} {retention.get(spec.name)} -> {spec.retention_ms}")
        else:
            outcomes[spec.name] = TopicOutcome(topic=spec.name, action="exists", partitions=partitions)
    return [outcomes[s.name] for s in specs]


def _create(admin: AdminClient, specs: Sequence[TopicSpec], timeout: float) -> None:
    new = [NewTopic(s.name, num_partitions=s.partitions, replication_factor=s.replication_factor,
                    config={_RETENTION: str(s.retention_ms)}) for s in specs]
    for name, future in admin.create_topics(new, operation_timeout=timeout).items():
        try:
            future.result(timeout=timeout)
        except KafkaException as error:
            if error.args[0].name() != "TOPIC_ALREADY_EXISTS":  # created concurrently: fine
                raise InfrastructureError(f"Kafka refused to create {name}: {error}", retryable=False,
                                          code=error.args[0].name()) from error
    _await_visible(admin, specs, timeout)


def _await_visible(admin: AdminClient, specs: Sequence[TopicSpec], timeout: float) -> None:
    """Wait until the brokers' metadata lists every topic of ``specs`` with all its partitions.

    A created topic reaches the broker answering metadata a moment after the controller acknowledged it:
    whoever produces to it or lists it right after ``ensure_topics`` must find it.

    Raises:
        InfrastructureError: (retryable) a topic was still not listed after ``timeout`` seconds.
    """
    deadline = time.monotonic() + timeout
    waiting = list(specs)
    while waiting:
        try:
            listed = admin.list_topics(timeout=max(deadline - time.monotonic(), 1.0)).topics
        except KafkaException as error:
            raise InfrastructureError(f"Kafka unreachable listing topics: {error}", retryable=True) from error
        waiting = [s for s in waiting if s.name not in listed or len(listed[s.name].partitions) < s.partitions]
        if waiting and time.monotonic() > deadline:
            raise InfrastructureError(f"topics created but not listed by the brokers after {timeout:.0f}s: "
                                      f"{', '.join(s.name for s in waiting)}", retryable=True)
        if waiting:
            time.sleep(0.1)


def _retention(admin: AdminClient, names: list[str], timeout: float) -> dict[str, str | None]:
    resources = [ConfigResource(ConfigResource.Type.TOPIC, name) for name in names]
    found: dict[str, str | None] = {}
    for resource, future in admin.describe_configs(resources, request_timeout=timeout).items():
        try:
            entries = future.result(timeout=timeout)
        except KafkaException as error:
            raise InfrastructureError(f"Kafka could not describe {resource.name}: {error}", retryable=True) from error
        entry = entries.get(_RETENTION)
        found[resource.name] = entry.value if entry is not None else None
    return found


def _set_retention(admin: AdminClient, spec: TopicSpec, timeout: float) -> None:
    resource = ConfigResource(ConfigResource.Type.TOPIC, spec.name, incremental_configs=[
        ConfigEntry(_RETENTION, str(spec.retention_ms), incremental_operation=AlterConfigOpType.SET)])
    for future in admin.incremental_alter_configs([resource]).values():
        try:
            future.result(timeout=timeout)
        except KafkaException as error:
            raise InfrastructureError(f"Kafka refused {_RETENTION} on {spec.name}: {error}", retryable=False) from error
