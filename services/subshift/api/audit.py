"""The audit trail: one ``audit_log`` row per mutating call, whatever its outcome."""

from __future__ import annotations

import uuid

from sqlalchemy import Engine, insert

from subshift.api.db import database_errors
from subshift.db.models import AuditRecord
from subshift.observability.logs import get_logger

__all__ = ["record_audit"]

_log = get_logger(__name__)


def record_audit(engine: Engine, *, subject: str, method: str, migration_id: uuid.UUID | None, outcome: str,
                 detail: dict[str, object]) -> None:
    """Write one audit record; a failure is logged, never raised.

    The call it records has already succeeded or failed on its own; refusing its answer
    because the audit write failed would only hide that outcome from the caller.
    """
    try:
        with database_errors(), engine.begin() as connection:
            connection.execute(insert(AuditRecord).values(
                subject=subject, method=method, migration_id=migration_id, outcome=outcome, detail=detail,
            ))
    except Exception as error:
        _log.error("audit_write_failed", subject=subject, method=method, migration_id=str(migration_id),
                   outcome=outcome, error=str(error))
