# Generated, do not edit; run `subshift contracts generate`.
# Source: contracts/proto/subshift/migration/v1/access.proto, contracts/proto/subshift/migration/v1/migration.proto, contracts/proto/subshift/migration/v1/migration_service.proto
"""Every message, enum, extension and service of ``subshift.migration.v1``.

Generated, do not edit; run `subshift contracts generate`.
"""

from __future__ import annotations

from google.protobuf.descriptor import ServiceDescriptor
import subshift_client._generated.subshift.migration.v1.migration_service_pb2 as _migration_service_pb2
from subshift_client._generated.subshift.migration.v1.access_pb2 import Role as Role
from subshift_client._generated.subshift.migration.v1.access_pb2 import required_role as required_role
from subshift_client._generated.subshift.migration.v1.migration_pb2 import ItemOutcome as ItemOutcome
from subshift_client._generated.subshift.migration.v1.migration_pb2 import KafkaPosition as KafkaPosition
from subshift_client._generated.subshift.migration.v1.migration_pb2 import Migration as Migration
from subshift_client._generated.subshift.migration.v1.migration_pb2 import MigrationCounts as MigrationCounts
from subshift_client._generated.subshift.migration.v1.migration_pb2 import MigrationItem as MigrationItem
from subshift_client._generated.subshift.migration.v1.migration_pb2 import MigrationState as MigrationState
from subshift_client._generated.subshift.migration.v1.migration_pb2 import OfferMove as OfferMove
from subshift_client._generated.subshift.migration.v1.migration_pb2 import OfferPopulation as OfferPopulation
from subshift_client._generated.subshift.migration.v1.migration_pb2 import RowViolation as RowViolation
from subshift_client._generated.subshift.migration.v1.migration_pb2 import ValidationReport as ValidationReport
from subshift_client._generated.subshift.migration.v1.migration_service_pb2 import CancelMigrationRequest as CancelMigrationRequest
from subshift_client._generated.subshift.migration.v1.migration_service_pb2 import CancelMigrationResponse as CancelMigrationResponse
from subshift_client._generated.subshift.migration.v1.migration_service_pb2 import CreateMigrationRequest as CreateMigrationRequest
from subshift_client._generated.subshift.migration.v1.migration_service_pb2 import CreateMigrationResponse as CreateMigrationResponse
from subshift_client._generated.subshift.migration.v1.migration_service_pb2 import ExportMigrationResultsRequest as ExportMigrationResultsRequest
from subshift_client._generated.subshift.migration.v1.migration_service_pb2 import ExportMigrationResultsResponse as ExportMigrationResultsResponse
from subshift_client._generated.subshift.migration.v1.migration_service_pb2 import GetMigrationRequest as GetMigrationRequest
from subshift_client._generated.subshift.migration.v1.migration_service_pb2 import GetMigrationResponse as GetMigrationResponse
from subshift_client._generated.subshift.migration.v1.migration_service_pb2 import ListMigrationItemsRequest as ListMigrationItemsRequest
from subshift_client._generated.subshift.migration.v1.migration_service_pb2 import ListMigrationItemsResponse as ListMigrationItemsResponse
from subshift_client._generated.subshift.migration.v1.migration_service_pb2 import ListMigrationsRequest as ListMigrationsRequest
from subshift_client._generated.subshift.migration.v1.migration_service_pb2 import ListMigrationsResponse as ListMigrationsResponse
from subshift_client._generated.subshift.migration.v1.migration_service_pb2 import MigrationHeader as MigrationHeader
from subshift_client._generated.subshift.migration.v1.migration_service_pb2 import RevertMigrationRequest as RevertMigrationRequest
from subshift_client._generated.subshift.migration.v1.migration_service_pb2 import RevertMigrationResponse as RevertMigrationResponse
from subshift_client._generated.subshift.migration.v1.migration_service_pb2 import WatchMigrationRequest as WatchMigrationRequest
from subshift_client._generated.subshift.migration.v1.migration_service_pb2 import WatchMigrationResponse as WatchMigrationResponse
from subshift_client._generated.subshift.migration.v1.migration_service_pb2_grpc import MigrationServiceServicer as MigrationServiceServicer
from subshift_client._generated.subshift.migration.v1.migration_service_pb2_grpc import MigrationServiceStub as MigrationServiceStub
from subshift_client._generated.subshift.migration.v1.migration_service_pb2_grpc import add_MigrationServiceServicer_to_server as add_MigrationServiceServicer_to_server

MIGRATION_SERVICE: ServiceDescriptor = _migration_service_pb2.DESCRIPTOR.services_by_name['MigrationService']

__all__ = [
    'CancelMigrationRequest',
    'CancelMigrationResponse',
    'CreateMigrationRequest',
    'CreateMigrationResponse',
    'ExportMigrationResultsRequest',
    'ExportMigrationResultsResponse',
    'GetMigrationRequest',
    'GetMigrationResponse',
    'ItemOutcome',
    'KafkaPosition',
    'ListMigrationItemsRequest',
    'ListMigrationItemsResponse',
    'ListMigrationsRequest',
    'ListMigrationsResponse',
    'MIGRATION_SERVICE',
    'Migration',
    'MigrationCounts',
    'MigrationHeader',
    'MigrationItem',
    'MigrationServiceServicer',
    'MigrationServiceStub',
    'MigrationState',
    'OfferMove',
    'OfferPopulation',
    'RevertMigrationRequest',
    'RevertMigrationResponse',
    'Role',
    'RowViolation',
    'ValidationReport',
    'WatchMigrationRequest',
    'WatchMigrationResponse',
    'add_MigrationServiceServicer_to_server',
    'required_role',
]
