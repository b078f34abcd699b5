"""Kafka access per topic: typed producers and consumers, confluent-kafka serdes, the fast decoder.

- ``UserOffersProducer(conf, registry).produce(record, on_delivery=…)``: keyed by ``user_id``,
  idempotent with ``acks=all``; the schema id is looked up once (publish registers it).
- ``UserOffersConsumer(conf, registry).poll_batch(max_records, timeout)``: a list of
  ``Decoded[UserOfferMigrationRequested]`` or ``Undecodable`` (with a stable ``reason``), never
  an exception that loses a message; ``commit(done)`` after the caller's work is durable.
- Hot loops can skip the record: ``produce_datum(datum, key=…)`` and ``poll_datums(…)`` take and
  give ``UserOfferMigrationRequestedDatum`` (``subshift_client.records``), a typed dict of the same
  event with logical values as their Avro primitives (the event id's text, epoch milliseconds):
  the same bytes, about twice as fast; the record's own checks (a UUID's form) are then yours.
  ``produce_datums(datums, keys)`` hands many to librdkafka in one call (without headers).
- ``user_offers_serdes(registry)``: ``AvroSerializer``/``AvroDeserializer`` bound to the record.
- ``user_offers_decoder(registry)``: the fastavro decoder alone (e.g. for dead-letter replays).
"""

from __future__ import annotations

from subshift_client._generated.clients import *  # noqa: F403  (the generator keeps the list)
from subshift_client._generated.clients import __all__ as _client_names
from subshift_client.consumer import TypedConsumer, manual_offsets_conf
from subshift_client.decoded import Decoded, MessageRef, Undecodable, UndecodableReason
from subshift_client.errors import ClientError, KafkaClientError, RegistryUnavailableError, SchemaNotRegisteredError
from subshift_client.fast_avro import FastAvroDecoder, FastAvroEncoder, UndecodableValueError
from subshift_client.producer import DeliveryCallback, TypedProducer, safe_producer_conf
from subshift_client.serdes import AvroSerdes, avro_serdes

__all__ = [
    *_client_names,
    "AvroSerdes",
    "ClientError",
    "Decoded",
    "DeliveryCallback",
    "FastAvroDecoder",
    "FastAvroEncoder",
    "KafkaClientError",
    "MessageRef",
    "RegistryUnavailableError",
    "SchemaNotRegisteredError",
    "TypedConsumer",
    "TypedProducer",
    "Undecodable",
    "UndecodableReason",
    "UndecodableValueError",
    "avro_serdes",
    "manual_offsets_conf",
    "safe_producer_conf",
]
