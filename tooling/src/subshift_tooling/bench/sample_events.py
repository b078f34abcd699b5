"""Events shaped like the relay's, for the baselines: same schema, same field sizes, same framing."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from subshift_client.records import UserOfferMigrationRequested
from subshift_tooling.seeding import user_id

__all__ = ["sample_dicts", "sample_records"]

_MIGRATION = uuid.UUID("00000000-0000-4000-8000-00000000b3c4")
_AT = datetime(2026, 1, 1, tzinfo=UTC)


def sample_records(start: int, count: int) -> list[UserOfferMigrationRequested]:
    """``count`` typed events for users ``start``… (offers as the seeded catalog names them)."""
    return [
        UserOfferMigrationRequested(
            event_id=uuid.UUID(int=_MIGRATION.int ^ n), migration_id=str(_MIGRATION), user_id=user_id(n),
            current_offer=f"OFFER-{n % 8 + 1:03d}", target_offer=f"OFFER-{(n + 3) % 8 + 1:03d}",
            requested_at=_AT, requested_by="subshift-bench", row_number=n + 1,
        )
        for n in range(start, start + count)
    ]


def sample_dicts(rows: int, chunk: int) -> Iterator[list[dict[str, Any]]]:
    """The same events as plain dicts (what fastavro writes), ``chunk`` at a time so memory stays small."""
    for start in range(1, rows + 1, chunk):
        yield [record.to_dict() for record in sample_records(start, min(chunk, rows + 1 - start))]
