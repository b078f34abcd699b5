"""Subshift's client library: gRPC stubs for ``MigrationService``, Avro records, topics and Kafka access.

Modules:
- ``subshift_client.migration_v1``: Protobuf messages, enums, ``MigrationServiceStub``, ``required_role_of``.
- ``subshift_client.records``: typed Avro records (``UserOfferMigrationRequested``).
- ``subshift_client.topics``: topic facts from the manifest (``USER_OFFERS``, ``ALL_TOPICS``).
- ``subshift_client.kafka``: typed producers and consumers, serdes, ``Decoded``/``Undecodable``.
- ``subshift_client.wire``: the Confluent wire framing (magic byte + schema id).

Everything under ``subshift_client._generated`` is private and rebuilt by ``subshift contracts generate``.
"""

from __future__ import annotations

from subshift_client import kafka, migration_v1, records, topics, wire

__all__ = ["kafka", "migration_v1", "records", "topics", "wire"]
