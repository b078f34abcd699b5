"""Domain records → contract messages (and the few enums back). No grpc here, only protobuf."""

from __future__ import annotations

from datetime import datetime

from google.protobuf.timestamp_pb2 import Timestamp

from subshift.api.validation import ValidationReport
from subshift.db.models import ItemOutcome, Migration, MigrationItem, MigrationState
from subshift.errors import DataError
from subshift_client import migration_v1 as pb

__all__ = ["item_pb", "migration_pb", "outcome_from_pb", "report_pb", "state_from_pb"]


def _timestamp(value: datetime | None) -> Timestamp | None:
    if value is None:
        return None
    stamp = Timestamp()
    stamp.FromDatetime(value)
    return stamp


def migration_pb(migration: Migration) -> pb.Migration:
    """The contract's view of a migration (a dry run's unsaved one has no id)."""
    def count(name: str) -> int:
        return int(getattr(migration, name) or 0)

    return pb.Migration(
        migration_id=str(migration.id) if migration.id else "",
        state=pb.MigrationState.Value(f"MIGRATION_STATE_{migration.state.upper()}"),
        description=migration.description or "",
        request_id=migration.request_id or "",
        created_by=migration.created_by,
        create_time=_timestamp(migration.created_at),
        update_time=_timestamp(migration.updated_at),
        complete_time=_timestamp(migration.completed_at),
        counts=pb.MigrationCounts(
            rows_received=count("rows_received"), rows_rejected=count("rows_rejected"), staged=count("staged"),
            published=count("published"), applied=count("applied"), skipped=count("skipped"),
            conflicts=count("conflicts"), not_found=count("not_found"), cancelled=count("cancelled"),
            dead_lettered=count("dead_lettered"),
        ),
        max_rows_per_second=migration.max_rows_per_second or 0,
        reverts_migration_id=str(migration.reverts_migration_id) if migration.reverts_migration_id else "",
        state_reason=migration.state_reason or "",
        content_sha256=migration.content_sha256,
        items_purge_time=_timestamp(migration.items_purged_at),
    )


def item_pb(item: MigrationItem, *, topic: str, dead_letter_topic: str) -> pb.MigrationItem:
    """One item with its lineage: row → event id → Kafka position → outcome (or dead letter)."""
    message = pb.MigrationItem(
        migration_id=str(item.migration_id), row_number=item.row_number, user_id=item.user_id,
        current_offer=item.current_offer, target_offer=item.target_offer,
        event_id=str(item.event_id) if item.event_id else "",
        outcome=pb.ItemOutcome.Value(f"ITEM_OUTCOME_{item.outcome.upper()}"), reason=item.reason,
        publish_time=_timestamp(item.published_at), outcome_time=_timestamp(item.outcome_at),
        previous_offer=item.previous_offer or "", column=item.column_name,
    )
    if item.kafka_partition is not None and item.kafka_offset is not None:
        message.position.CopyFrom(pb.KafkaPosition(topic=topic, partition=item.kafka_partition,
                                                   offset=item.kafka_offset))
    if item.dlt_partition is not None and item.dlt_offset is not None:
        message.dead_letter_position.CopyFrom(pb.KafkaPosition(topic=dead_letter_topic,
                                                               partition=item.dlt_partition, offset=item.dlt_offset))
    return message


def report_pb(report: ValidationReport) -> pb.ValidationReport:
    return pb.ValidationReport(
        rows_valid=report.rows_valid, rows_rejected=report.rows_rejected, violations_total=report.violations_total,
        violations=[pb.RowViolation(row=v.row, column=v.column, rule=v.rule, message=v.message)
                    for v in report.violations],
        current_offer_population=[pb.OfferPopulation(offer=offer, subscribers=count)
                                  for offer, count in sorted(report.current_offer_population.items())],
        moves=[pb.OfferMove(current_offer=m.current_offer, target_offer=m.target_offer, rows=m.rows,
                            would_apply=m.would_apply, would_skip=m.would_skip, would_conflict=m.would_conflict,
                            not_found=m.not_found) for m in report.moves],
    )


def state_from_pb(value: int) -> MigrationState | None:
    """The state a filter names; None for unspecified (all).

    Raises:
        DataError: not a state of the contract.
    """
    if value == 0:
        return None
    try:
        name = pb.MigrationState.Name(pb.MigrationState.ValueType(value))
        return MigrationState(name.removeprefix("MIGRATION_STATE_").lower())
    except ValueError:
        raise DataError(f"state {value} is not a migration state", column="state", rule="bad_enum") from None


def outcome_from_pb(value: int) -> ItemOutcome | None:
    """The outcome a filter names; None for unspecified (all).

    Raises:
        DataError: not an outcome of the contract.
    """
    if value == 0:
        return None
    try:
        return ItemOutcome(pb.ItemOutcome.Name(pb.ItemOutcome.ValueType(value)).removeprefix("ITEM_OUTCOME_").lower())
    except ValueError:
        raise DataError(f"outcome {value} is not an item outcome", column="outcome", rule="bad_enum") from None
