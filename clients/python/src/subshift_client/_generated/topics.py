# Generated, do not edit; run `subshift contracts generate`.
# Source: contracts/subjects.yaml
"""Every topic of the manifest: names, subjects, modes, partitions, dead-letter topics.

Generated, do not edit; run `subshift contracts generate`.
"""

from __future__ import annotations

from typing import Final

from subshift_client.topic_spec import TopicSpec, find_topic

DEFAULT_COMPATIBILITY: Final = 'BACKWARD_TRANSITIVE'

USER_OFFERS: Final = TopicSpec(
    name='user-offers',
    description='One event per user per migration, keyed by user id.',
    key_format='string',
    key_field='user_id',
    value_format='avro',
    value_subject='user-offers-value',
    value_schema_file='avro/user_offer_migration_requested.avsc',
    compatibility='BACKWARD_TRANSITIVE',
    partitions=6,
    replication_factor=1,
    retention_ms=604800000,
    dead_letter_topic='user-offers.DLT',
)

USER_OFFERS_DLT: Final = TopicSpec(
    name='user-offers.DLT',
    description='Events of user-offers that can never be applied, with headers that say why.',
    key_format='bytes',
    key_field=None,
    value_format='bytes',
    value_subject=None,
    value_schema_file=None,
    compatibility=None,
    partitions=6,
    replication_factor=1,
    retention_ms=2592000000,
    dead_letter_topic=None,
)

ALL_TOPICS: Final[tuple[TopicSpec, ...]] = (USER_OFFERS, USER_OFFERS_DLT,)


def topic(name: str) -> TopicSpec:
    """The topic called ``name``.

    Raises:
        KeyError: no such topic in the manifest.
    """
    return find_topic(ALL_TOPICS, name)


__all__ = ['ALL_TOPICS', 'DEFAULT_COMPATIBILITY', 'USER_OFFERS', 'USER_OFFERS_DLT', 'topic']
