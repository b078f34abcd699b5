"""Sample messages of today's contracts, with every field set, for the golden wire fixtures.

Fixed ids and times keep the fixtures byte-identical when regenerated. When a contract gains a
field, give it a value here so the next release's fixtures carry it.
"""

from __future__ import annotations

import datetime
import uuid

from google.protobuf.message import Message
from google.protobuf.timestamp_pb2 import Timestamp

from subshift_client import migration_v1 as api
from subshift_client.avro_runtime import AvroRecord
from subshift_client.records import UserOfferMigrationRequested
from subshift_client.topics import USER_OFFERS

__all__ = ["avro_samples", "proto_samples"]

_MIGRATION_ID = "6f1c2d3e-4b5a-4c6d-8e7f-90a1b2c3d4e5"
_PAGE_2, _PAGE_3 = "page-2", "page-3"
_CREATED = datetime.datetime(2026, 11, 25, 10, 0, 0, 123000, tzinfo=datetime.UTC)


def _ts(moment: datetime.datetime) -> Timestamp:
    stamp = Timestamp()
    stamp.FromDatetime(moment)
    return stamp


def _migration() -> api.Migration:
    return api.Migration(
        migration_id=_MIGRATION_ID, state=api.MigrationState.MIGRATION_STATE_SUCCEEDED_WITH_ERRORS,
        description="Move basic to gold", request_id="req-2026-11-25-001", created_by="ops@example.com",
        create_time=_ts(_CREATED), update_time=_ts(_CREATED + datetime.timedelta(minutes=3)),
        complete_time=_ts(_CREATED + datetime.timedelta(minutes=3)),
        counts=api.MigrationCounts(rows_received=5, rows_rejected=1, staged=4, published=4, applied=2, skipped=1,
                                   conflicts=1, not_found=0, cancelled=0, dead_lettered=0),
        max_rows_per_second=500, reverts_migration_id="", state_reason="1 conflict",
        content_sha256="9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
    )


def _item() -> api.MigrationItem:
    return api.MigrationItem(
        migration_id=_MIGRATION_ID, row_number=2, user_id="u-000042", current_offer="basic", target_offer="gold",
        event_id="0b9f6a3e-8c1d-4d5e-9f60-1a2b3c4d5e6f", outcome=api.ItemOutcome.ITEM_OUTCOME_APPLIED, reason="",
        position=api.KafkaPosition(topic=USER_OFFERS.name, partition=3, offset=1234),
        publish_time=_ts(_CREATED + datetime.timedelta(seconds=5)),
        outcome_time=_ts(_CREATED + datetime.timedelta(seconds=6)),
        dead_letter_position=api.KafkaPosition(topic="", partition=0, offset=0), previous_offer="basic", column="",
    )


def proto_samples() -> dict[str, Message]:
    """One request or response per RPC shape, named ``<Message>`` or ``<Message>_<variant>``."""
    report = api.ValidationReport(
        rows_valid=4, rows_rejected=1, violations_total=1,
        violations=[api.RowViolation(row=6, column="target_offer", rule="unknown_offer",
                                     message="offer 'platinum' does not exist")],
        current_offer_population=[api.OfferPopulation(offer="basic", subscribers=120000)],
    )
    header = api.MigrationHeader(request_id="req-2026-11-25-001", description="Move basic to gold",
                                 validate_only=False, max_rejected_rows=10, max_rows_per_second=500)
    return {
        "CreateMigrationRequest_header": api.CreateMigrationRequest(header=header),
        "CreateMigrationRequest_csv_chunk": api.CreateMigrationRequest(
            csv_chunk=b"user_id,current_offer,target_offer\r\nu-000042,basic,gold\r\n"),
        "CreateMigrationResponse": api.CreateMigrationResponse(migration=_migration(), report=report),
        "GetMigrationRequest": api.GetMigrationRequest(migration_id=_MIGRATION_ID),
        "GetMigrationResponse": api.GetMigrationResponse(migration=_migration()),
        "ListMigrationsRequest": api.ListMigrationsRequest(
            page_size=50, page_token=_PAGE_2, state=api.MigrationState.MIGRATION_STATE_APPLYING),
        "ListMigrationsResponse": api.ListMigrationsResponse(migrations=[_migration()], next_page_token=_PAGE_3),
        "CancelMigrationRequest": api.CancelMigrationRequest(migration_id=_MIGRATION_ID, reason="wrong file"),
        "CancelMigrationResponse": api.CancelMigrationResponse(migration=_migration()),
        "WatchMigrationRequest": api.WatchMigrationRequest(migration_id=_MIGRATION_ID),
        "WatchMigrationResponse": api.WatchMigrationResponse(migration=_migration()),
        "ListMigrationItemsRequest": api.ListMigrationItemsRequest(
            migration_id=_MIGRATION_ID, page_size=100, page_token=_PAGE_2,
            outcome=api.ItemOutcome.ITEM_OUTCOME_CONFLICT),
        "ListMigrationItemsResponse": api.ListMigrationItemsResponse(items=[_item()], next_page_token=_PAGE_3,
                                                                     total_size=5),
        "ExportMigrationResultsRequest": api.ExportMigrationResultsRequest(
            migration_id=_MIGRATION_ID, outcome=api.ItemOutcome.ITEM_OUTCOME_DEAD_LETTERED),
        "ExportMigrationResultsResponse": api.ExportMigrationResultsResponse(
            csv_chunk=b"row_number,user_id,outcome\r\n2,u-000042,APPLIED\r\n"),
        "RevertMigrationRequest": api.RevertMigrationRequest(migration_id=_MIGRATION_ID, request_id="req-revert-1",
                                                             description="undo"),
        "RevertMigrationResponse": api.RevertMigrationResponse(migration=_migration()),
    }


def avro_samples() -> dict[str, tuple[type[AvroRecord], dict[str, AvroRecord]]]:
    """Per value subject: its record class and named sample records (all fields set, and optional ones unset)."""
    full = UserOfferMigrationRequested(
        event_id=uuid.UUID("0b9f6a3e-8c1d-4d5e-9f60-1a2b3c4d5e6f"), migration_id=_MIGRATION_ID, user_id="u-000042",
        current_offer="basic", target_offer="gold", requested_at=_CREATED, requested_by="ops@example.com",
        row_number=2,
    )
    minimal = UserOfferMigrationRequested(
        event_id=uuid.UUID("1c0a7b4f-9d2e-4e6f-8a71-2b3c4d5e6f70"), migration_id=_MIGRATION_ID,
        user_id="u-000043", current_offer="basic", target_offer="gold", requested_at=_CREATED,
    )
    subject = USER_OFFERS.value_subject or ""
    return {subject: (UserOfferMigrationRequested,
                      {"UserOfferMigrationRequested_full": full, "UserOfferMigrationRequested_minimal": minimal})}
