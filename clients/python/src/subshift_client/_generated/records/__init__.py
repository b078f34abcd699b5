# Generated, do not edit; run `subshift contracts generate`.
# Source: contracts/subjects.yaml
"""Typed Avro records, one class per value schema in the manifest.

Generated, do not edit; run `subshift contracts generate`.
"""

from __future__ import annotations

from subshift_client._generated.records.user_offer_migration_requested import UserOfferMigrationRequested as UserOfferMigrationRequested
from subshift_client._generated.records.user_offer_migration_requested import UserOfferMigrationRequestedDatum as UserOfferMigrationRequestedDatum

__all__ = ['UserOfferMigrationRequested', 'UserOfferMigrationRequestedDatum']
