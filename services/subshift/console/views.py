"""Plain-data views of API messages: what ``--output json`` prints and what tables show.

Proto3's JSON mapping writes 64-bit counts as strings; scripts want numbers, so these views
are built by hand, with enum values as short lower-case names (``succeeded``, ``not_found``).
"""

from __future__ import annotations

from google.protobuf.timestamp_pb2 import Timestamp

from subshift_client.api_errors import RowViolation
from subshift_client.migration_v1 import (
    ItemOutcome,
    KafkaPosition,
    Migration,
    MigrationCounts,
    MigrationItem,
    MigrationState,
    ValidationReport,
)

__all__ = [
    "COUNT_LABELS",
    "counts_view",
    "dry_run_verdict",
    "item_view",
    "migration_view",
    "outcome_name",
    "report_view",
    "state_name",
    "violation_view",
]

# Counter field → label, in the order a row travels.
COUNT_LABELS = {
    "rows_received": "received",
    "rows_rejected": "rejected",
    "staged": "staged",
    "published": "published",
    "applied": "applied",
    "skipped": "skipped (already on target)",
    "conflicts": "conflicts",
    "not_found": "user not found",
    "cancelled": "cancelled",
    "dead_lettered": "dead-lettered",
}


def state_name(state: MigrationState.ValueType) -> str:
    return MigrationState.Name(state).removeprefix("MIGRATION_STATE_").lower()


def outcome_name(outcome: ItemOutcome.ValueType) -> str:
    return ItemOutcome.Name(outcome).removeprefix("ITEM_OUTCOME_").lower()


def _time(stamp: Timestamp, present: bool) -> str | None:
    return stamp.ToDatetime().isoformat() + "Z" if present else None


def _position(position: KafkaPosition, present: bool) -> dict[str, object] | None:
    if not present:
        return None
    return {"topic": position.topic, "partition": position.partition, "offset": position.offset}


def counts_view(counts: MigrationCounts) -> dict[str, int]:
    return {field: int(getattr(counts, field)) for field in COUNT_LABELS}


def migration_view(migration: Migration) -> dict[str, object]:
    return {
        "migration_id": migration.migration_id,
        "state": state_name(migration.state),
        "state_reason": migration.state_reason,
        "description": migration.description,
        "request_id": migration.request_id,
        "created_by": migration.created_by,
        "create_time": _time(migration.create_time, migration.HasField("create_time")),
        "update_time": _time(migration.update_time, migration.HasField("update_time")),
        "complete_time": _time(migration.complete_time, migration.HasField("complete_time")),
        "items_purge_time": _time(migration.items_purge_time, migration.HasField("items_purge_time")),
        "max_rows_per_second": migration.max_rows_per_second,
        "reverts_migration_id": migration.reverts_migration_id,
        "content_sha256": migration.content_sha256,
        "counts": counts_view(migration.counts),
    }


def item_view(item: MigrationItem) -> dict[str, object]:
    return {
        "row": item.row_number,
        "user_id": item.user_id,
        "current_offer": item.current_offer,
        "target_offer": item.target_offer,
        "outcome": outcome_name(item.outcome),
        "reason": item.reason,
        "column": item.column,
        "event_id": item.event_id,
        "position": _position(item.position, item.HasField("position")),
        "publish_time": _time(item.publish_time, item.HasField("publish_time")),
        "outcome_time": _time(item.outcome_time, item.HasField("outcome_time")),
        "dead_letter_position": _position(item.dead_letter_position, item.HasField("dead_letter_position")),
        "previous_offer": item.previous_offer,
    }


def violation_view(violation: RowViolation) -> dict[str, object]:
    return {"row": violation.row, "column": violation.column, "rule": violation.rule, "message": violation.message}


def report_view(report: ValidationReport) -> dict[str, object]:
    return {
        "rows_valid": report.rows_valid,
        "rows_rejected": report.rows_rejected,
        "violations_total": report.violations_total,
        "violations": [
            violation_view(v) for v in report.violations
        ],
        "current_offer_population": {p.offer: p.subscribers for p in report.current_offer_population},
        "moves": [{"current_offer": m.current_offer, "target_offer": m.target_offer, "rows": m.rows,
                   "would_apply": m.would_apply, "would_skip": m.would_skip, "would_conflict": m.would_conflict,
                   "not_found": m.not_found} for m in report.moves],
    }


def dry_run_verdict(migration: Migration, report: ValidationReport) -> dict[str, object]:
    """The one verdict of a dry run, for its table and its JSON alike: would the upload be accepted, and why."""
    if migration.state == MigrationState.MIGRATION_STATE_REJECTED:
        reason = migration.state_reason.removesuffix("; nothing was staged")
        return {"accepted": False, "summary": f"the upload would be refused: {reason}"}
    return {"accepted": True,
            "summary": f"the upload would be accepted: {report.rows_valid:,} row(s) would be staged, "
                       f"{report.rows_rejected:,} rejected"}
