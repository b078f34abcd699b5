# Generated, do not edit; run `subshift contracts generate`.
# Source: contracts/subjects.yaml
"""Typed producers, consumers and serdes, one set per Avro topic of the manifest.

Generated, do not edit; run `subshift contracts generate`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from confluent_kafka.schema_registry import SchemaRegistryClient

from subshift_client._generated.records.user_offer_migration_requested import UserOfferMigrationRequested, UserOfferMigrationRequestedDatum
from subshift_client._generated.topics import USER_OFFERS
from subshift_client.avro_runtime import AvroRecord
from subshift_client.consumer import TypedConsumer
from subshift_client.fast_avro import FastAvroDecoder
from subshift_client.producer import TypedProducer
from subshift_client.registry import WriterSchemas
from subshift_client.serdes import AvroSerdes, avro_serdes

__all__ = ['RECORDS_BY_SUBJECT', 'UserOffersConsumer', 'UserOffersProducer', 'user_offers_decoder', 'user_offers_serdes']

# Which record class each registry subject's schema generates.
RECORDS_BY_SUBJECT: Final[Mapping[str, type[AvroRecord]]] = {
    'user-offers-value': UserOfferMigrationRequested,
}


def _user_offers_key(record: UserOfferMigrationRequested) -> str:
    return record.user_id


class UserOffersProducer(TypedProducer[UserOfferMigrationRequested]):
    """Produces ``UserOfferMigrationRequested`` to ``user-offers``, keyed by ``user_id``."""

    def __init__(self, conf: Mapping[str, Any], registry: SchemaRegistryClient, *, register: bool = False, topic_prefix: str | None = None) -> None:
        super().__init__(conf, registry, topic=USER_OFFERS, record_type=UserOfferMigrationRequested, key_of=_user_offers_key, register=register, topic_prefix=topic_prefix)


class UserOffersConsumer(TypedConsumer[UserOfferMigrationRequested, UserOfferMigrationRequestedDatum]):
    """Consumes ``user-offers`` into ``UserOfferMigrationRequested`` values (or ``Undecodable`` ones)."""

    def __init__(self, conf: Mapping[str, Any], registry: SchemaRegistryClient, *, subscribe: bool = True, topic_prefix: str | None = None) -> None:
        super().__init__(conf, registry, topic=USER_OFFERS, record_type=UserOfferMigrationRequested, subscribe=subscribe, topic_prefix=topic_prefix)


def user_offers_serdes(registry: SchemaRegistryClient, *, auto_register: bool = False) -> AvroSerdes[UserOfferMigrationRequested]:
    """confluent-kafka serdes for ``user-offers`` values."""
    return avro_serdes(registry, UserOfferMigrationRequested, auto_register=auto_register)


def user_offers_decoder(registry: SchemaRegistryClient) -> FastAvroDecoder[UserOfferMigrationRequested]:
    """The fast decoder for ``user-offers`` values (writer schemas fetched by id, cached)."""
    return FastAvroDecoder(UserOfferMigrationRequested, WriterSchemas(registry))
