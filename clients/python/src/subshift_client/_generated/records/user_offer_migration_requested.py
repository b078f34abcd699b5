# Generated, do not edit; run `subshift contracts generate`.
# Source: contracts/avro/user_offer_migration_requested.avsc
"""The Avro record ``UserOfferMigrationRequested`` and the records nested in it.

Generated, do not edit; run `subshift contracts generate`.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, TypedDict

from subshift_client import avro_runtime as _rt

__all__ = ['UserOfferMigrationRequested', 'UserOfferMigrationRequestedDatum']

_SCHEMA: dict[str, Any] = {'type': 'record',
 'name': 'UserOfferMigrationRequested',
 'namespace': 'io.subshift.migration.v1',
 'doc': 'A request to move one subscriber from one offer to another, as one row of a Subshift '
        'migration. Keyed by user_id on the topic, so all changes of a user stay in order.',
 'fields': [{'name': 'event_id',
             'type': {'type': 'string', 'logicalType': 'uuid'},
             'doc': 'Unique id of this event (a UUID); consumers de-duplicate on it.'},
            {'name': 'migration_id', 'type': 'string', 'doc': 'The migration this row belongs to.'},
            {'name': 'user_id',
             'type': 'string',
             'doc': 'The subscriber to move; also the record key.'},
            {'name': 'current_offer',
             'type': 'string',
             'doc': 'The offer the subscriber must be on for the change to apply '
                    '(compare-and-set).'},
            {'name': 'target_offer',
             'type': 'string',
             'doc': 'The offer to move the subscriber to.'},
            {'name': 'requested_at',
             'type': {'type': 'long', 'logicalType': 'timestamp-millis'},
             'doc': 'When the migration was created (UTC, milliseconds since the epoch).'},
            {'name': 'requested_by',
             'type': ['null', 'string'],
             'default': None,
             'doc': 'Subject of the token that created the migration, when known.'},
            {'name': 'row_number',
             'type': ['null', 'long'],
             'default': None,
             'doc': '1-based row of the uploaded CSV (the header is row 1), for lineage.'}]}


@dataclass(frozen=True, slots=True, kw_only=True)
class UserOfferMigrationRequested:
    """A request to move one subscriber from one offer to another, as one row of a Subshift
    migration. Keyed by user_id on the topic, so all changes of a user stay in order. Avro record
    ``io.subshift.migration.v1.UserOfferMigrationRequested``.
    """

    SCHEMA: ClassVar[dict[str, Any]] = _SCHEMA
    SCHEMA_JSON: ClassVar[str] = _rt.schema_json(_SCHEMA)
    FULL_NAME: ClassVar[str] = 'io.subshift.migration.v1.UserOfferMigrationRequested'

    event_id: uuid.UUID
    """Unique id of this event (a UUID); consumers de-duplicate on it."""

    migration_id: str
    """The migration this row belongs to."""

    user_id: str
    """The subscriber to move; also the record key."""

    current_offer: str
    """The offer the subscriber must be on for the change to apply (compare-and-set)."""

    target_offer: str
    """The offer to move the subscriber to."""

    requested_at: datetime.datetime
    """When the migration was created (UTC, milliseconds since the epoch)."""

    requested_by: str | None = None
    """Subject of the token that created the migration, when known."""

    row_number: int | None = None
    """1-based row of the uploaded CSV (the header is row 1), for lineage."""

    def __post_init__(self) -> None:
        _rt.require_aware(self.requested_at, 'requested_at')

    def to_dict(self) -> dict[str, Any]:
        """The Avro datum: what fastavro and confluent-kafka's AvroSerializer write."""
        return {
            'event_id': self.event_id,
            'migration_id': self.migration_id,
            'user_id': self.user_id,
            'current_offer': self.current_offer,
            'target_offer': self.target_offer,
            'requested_at': self.requested_at,
            'requested_by': self.requested_by,
            'row_number': self.row_number,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> UserOfferMigrationRequested:
        """Build from an Avro datum (a reader's output) or an equivalent plain mapping."""
        return cls(
            event_id=_rt.as_uuid(data['event_id']),
            migration_id=data['migration_id'],
            user_id=data['user_id'],
            current_offer=data['current_offer'],
            target_offer=data['target_offer'],
            requested_at=_rt.as_timestamp_millis(data['requested_at']),
            requested_by=data.get('requested_by', None),
            row_number=data.get('row_number', None),
        )


class UserOfferMigrationRequestedDatum(TypedDict):
    """``UserOfferMigrationRequested`` as an Avro datum with logical values as primitives (a UUID's
    text, epoch milliseconds): what ``encode_datum`` takes and ``decode_datum`` gives.
    """

    event_id: str
    migration_id: str
    user_id: str
    current_offer: str
    target_offer: str
    requested_at: int
    requested_by: str | None
    row_number: int | None
