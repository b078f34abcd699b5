"""Topic facts from ``contracts/subjects.yaml``: ``USER_OFFERS``, ``USER_OFFERS_DLT``, ``ALL_TOPICS``, ``topic()``.

Running services take topic names, subjects, partitions, compatibility modes and dead-letter
topics from here, never from string literals.
"""

from __future__ import annotations

from subshift_client._generated.topics import *  # noqa: F403  (the generator keeps the list)
from subshift_client._generated.topics import __all__ as _topic_names
from subshift_client.topic_spec import TopicSpec

__all__ = [*_topic_names, "TopicSpec"]
