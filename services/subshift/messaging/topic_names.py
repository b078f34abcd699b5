"""Topic facts as a running process uses them: the manifest's, with the configured name prefix.

Names come from the generated ``subshift_client.topics`` (the manifest); only a deployment
prefix (``SUBSHIFT_KAFKA_TOPIC_PREFIX``, empty in production) is added here, so isolated test
topics never need a literal name.
"""

from __future__ import annotations

import dataclasses

from subshift.config import KafkaSettings
from subshift.errors import ContractError
from subshift_client.topics import USER_OFFERS, TopicSpec

__all__ = ["dead_letter_topic", "user_offers_topic"]


def user_offers_topic(kafka: KafkaSettings) -> TopicSpec:
    """The ``user-offers`` topic as this process names it (its value subject stays the manifest's)."""
    spec = USER_OFFERS
    dlt = spec.dead_letter_topic
    return dataclasses.replace(
        spec,
        name=kafka.topic_prefix + spec.name,
        dead_letter_topic=kafka.topic_prefix + dlt if dlt is not None else None,
    )


def dead_letter_topic(spec: TopicSpec) -> str:
    """The dead-letter topic of ``spec``.

    Raises:
        ContractError: the manifest gives the topic no dead-letter topic.
    """
    if spec.dead_letter_topic is None:
        raise ContractError(f"topic {spec.name!r} has no dead_letter_topic in contracts/subjects.yaml")
    return spec.dead_letter_topic
