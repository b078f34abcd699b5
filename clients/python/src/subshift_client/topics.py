"""Topic facts from ``contracts/subjects.yaml``: ``USER_OFFERS``, ``USER_OFFERS_DLT``, ``ALL_TOPICS``, ``topic()``.

Running services take topic names, subjects, partitions, compatibility modes and dead-letter
topics from here, never from string literals.
"""

from __future__ import annotations

from subshift_client._generated.topics import *  # noqa: F403  (the generator keeps the list)
from subshift_client._generated.topics import ALL_TOPICS
from subshift_client._generated.topics import __all__ as _topic_names
from subshift_client.topic_spec import TOPIC_PREFIX_ENV, TopicSpec, with_prefix

__all__ = [*_topic_names, "TOPIC_PREFIX_ENV", "TopicSpec", "deployed_topic", "with_prefix"]


def deployed_topic(topic: TopicSpec, prefix: str | None = None) -> TopicSpec:
    """The topic a producer or consumer should use for ``topic``.

    An explicit ``prefix`` always applies. Otherwise one of the manifest's own topics (``ALL_TOPICS``) gets the
    deployment's prefix (``SUBSHIFT_KAFKA_TOPIC_PREFIX``), and a topic the caller built is used as given
    (it is already named as the caller wants; the server passes its prefixed topics this way).
    """
    if prefix is not None:
        return with_prefix(topic, prefix)
    return with_prefix(topic) if any(topic is known for known in ALL_TOPICS) else topic
