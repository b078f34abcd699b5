"""Which topic a position counts records of: the Kafka cluster id and the topic id, not the topic's name.

A topic deleted and recreated keeps its name but gets a new id; another cluster has another id.
The consumer asks on each assignment (its stored offsets carry the identity), and a dead-letter
replay asks for the dead-letter topic (its ledger of replayed records does). When Kafka does not
answer in time the identity is unknown (None).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from confluent_kafka import TopicCollection
from confluent_kafka.admin import AdminClient

from subshift.observability.logs import get_logger

__all__ = ["TopicIdentity", "TopicIdentityLookup"]

_log = get_logger("subshift.topic_identity")
_TIMEOUT_SECONDS = 10.0


@dataclass(frozen=True)
class TopicIdentity:
    """Which topic a position counts records of: the Kafka cluster id and the topic id (not its name)."""

    cluster_id: str
    topic_id: str


class TopicIdentityLookup:
    """Looks up ``TopicIdentity`` of a topic through an admin client built once from ``conf``."""

    def __init__(self, conf: dict[str, Any]) -> None:
        self._conf = {**conf, "client.id": "subshift-consumer-identity"}
        self._admin: AdminClient | None = None

    def __call__(self, topic: str) -> TopicIdentity | None:
        if self._admin is None:
            self._admin = AdminClient(self._conf)
        try:
            cluster = self._admin.describe_cluster(request_timeout=_TIMEOUT_SECONDS).result(_TIMEOUT_SECONDS)
            described = self._admin.describe_topics(TopicCollection([topic]), request_timeout=_TIMEOUT_SECONDS)
            description = described[topic].result(_TIMEOUT_SECONDS)
        except Exception as error:  # unknown identity: offsets still checked against the ends
            _log.warning("kafka.topic_identity_unknown", topic=topic, error=str(error).strip()[:300])
            return None
        if cluster.cluster_id is None:
            return None
        return TopicIdentity(cluster_id=str(cluster.cluster_id), topic_id=str(description.topic_id))
