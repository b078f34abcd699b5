"""``subshift contracts publish``: subjects into the registry, then topics into Kafka, as one report.

Subjects go first: a topic is only useful once producers can find its schema, and a refused
schema stops the run before any topic is created for it.
"""

from __future__ import annotations

from dataclasses import dataclass

from confluent_kafka.admin import AdminClient
from confluent_kafka.schema_registry import SchemaRegistryClient

from subshift.contracts_manifest import Manifest
from subshift.messaging.registry_admin import SubjectOutcome, publish_subjects
from subshift.messaging.topics_admin import TopicOutcome, ensure_topics, prefixed, specs_from_manifest

__all__ = ["PublishReport", "publish", "render_subject", "render_topic"]


@dataclass(frozen=True)
class PublishReport:
    subjects: tuple[SubjectOutcome, ...]
    topics: tuple[TopicOutcome, ...]

    @property
    def ok(self) -> bool:
        return not any(s.refused for s in self.subjects) and not any(t.refused for t in self.topics)

    def lines(self) -> list[str]:
        """The report, one line per subject and topic, refusals marked."""
        return [render_subject(s) for s in self.subjects] + [render_topic(t) for t in self.topics]


def publish(manifest: Manifest, registry: SchemaRegistryClient, admin: AdminClient | None, *,
            dry_run: bool, topic_prefix: str = "") -> PublishReport:
    """Publish subjects, then (when ``admin`` is given and no subject was refused) ensure topics.

    Raises:
        ContractError: a schema file is missing or not JSON.
        InfrastructureError: the registry or Kafka failed (not a refusal).
    """
    subjects = tuple(publish_subjects(manifest, registry, dry_run=dry_run))
    if admin is None or any(s.refused for s in subjects):
        return PublishReport(subjects, ())
    specs = prefixed(specs_from_manifest(manifest), topic_prefix)
    return PublishReport(subjects, tuple(ensure_topics(admin, specs, dry_run=dry_run)))


def render_subject(outcome: SubjectOutcome) -> str:
    """One readable line for a subject."""
    was = f" (was {outcome.mode_changed_from})" if outcome.mode_changed_from else ""
    head = f"subject {outcome.subject}, mode {outcome.mode}{was}: "
    if outcome.action == "rejected":
        return head + f"REFUSED: {outcome.message}"
    if outcome.action == "would register":
        return head + "would register a new version"
    return head + f"{outcome.action}, schema id {outcome.schema_id}"


def render_topic(outcome: TopicOutcome) -> str:
    """One readable line for a topic."""
    head = f"topic {outcome.topic}, {outcome.partitions} partitions: "
    if outcome.refused:
        return head + f"DIFFERS: {outcome.message}"
    return head + outcome.action + (f" ({outcome.message})" if outcome.message else "")
