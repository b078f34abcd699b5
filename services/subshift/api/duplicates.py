"""A user appears once per file: repeats found by PostgreSQL, so the server keeps no set of users.

The staged rows are already in a table, so one hash aggregate finds the users that repeat
(usually none, and then nothing else runs); the later rows of each are rejected and name the
row of the first. Memory stays flat however large the upload.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from subshift.api.validation import RowViolation
from subshift.lifecycle import items_table

__all__ = ["Duplicates", "find_upload_duplicates", "mark_duplicates"]


@dataclass(frozen=True, slots=True)
class Duplicates:
    """The first ``cap`` duplicate rows (row order) and how many there are in all."""

    first: list[RowViolation]
    total: int


_DUPLICATE_MESSAGE = "format('user %%L already appears in row %%s; a user may appear once per file', {user}, {first})"

# One pass (hash aggregate) finds the users that repeat; usually none, and then nothing else runs.
_FIND_REPEATS = """
CREATE TEMPORARY TABLE repeated_users ON COMMIT DROP AS
SELECT user_id, min(row_number) AS first_row FROM {table} {where} GROUP BY user_id HAVING count(*) > 1
"""

# ``{table}``: the migration's items table, not yet attached to ``migration_items`` while it is staged.
_MARK_DUPLICATES = f"""
UPDATE {{table}} AS item
SET outcome = 'rejected', event_id = NULL, column_name = 'user_id', outcome_at = now(),
    reason = {_DUPLICATE_MESSAGE.format(user="item.user_id", first="repeated.first_row")}
FROM repeated_users AS repeated
WHERE item.migration_id = %(migration)s AND item.user_id = repeated.user_id AND item.row_number > repeated.first_row
"""  # noqa: S608 - built from constants only


def _find_repeats(cursor: Any, table: str, where: str, params: dict[str, Any]) -> bool:
    cursor.execute(_FIND_REPEATS.format(table=table, where=where), params)
    if cursor.rowcount == 0:
        return False
    # Rows copied in this transaction have no statistics, so the planner would guess "one row"
    # and pick a nested loop over a million rows; a hash join on the few repeated users is right.
    cursor.execute("ANALYZE repeated_users")
    cursor.execute("SET LOCAL enable_nestloop = off")
    return True


def mark_duplicates(cursor: Any, migration_id: uuid.UUID, cap: int) -> Duplicates:
    """Reject every repeat of a user among ``migration_id``'s staged items (event id cleared)."""
    params = {"migration": migration_id}
    table = items_table(migration_id)
    if not _find_repeats(cursor, table, "WHERE migration_id = %(migration)s", params):
        return Duplicates([], 0)
    cursor.execute(_MARK_DUPLICATES.format(table=table), params)
    total = cursor.rowcount
    cursor.execute("SET LOCAL enable_nestloop = on")
    # Only valid rows are in the table yet, so every rejected item now is a duplicate.
    cursor.execute(
        f"SELECT row_number, reason FROM {table} WHERE migration_id = %s AND outcome = 'rejected' "  # noqa: S608 - a name
        "ORDER BY row_number LIMIT %s", (migration_id, cap),
    )
    first = [RowViolation(row, "user_id", "duplicate_user", reason) for row, reason in cursor.fetchall()]
    return Duplicates(first, total)


_DRY_DUPLICATES = f"""
SELECT upload.row_number, {_DUPLICATE_MESSAGE.format(user="upload.user_id", first="repeated.first_row")},
       count(*) OVER ()
FROM upload_rows AS upload JOIN repeated_users AS repeated
  ON upload.user_id = repeated.user_id AND upload.row_number > repeated.first_row
ORDER BY upload.row_number LIMIT %(cap)s
"""  # noqa: S608 - built from constants only

def find_upload_duplicates(cursor: Any, cap: int) -> Duplicates:
    """The repeats of a user among a dry run's rows (table ``upload_rows``); nothing is changed."""
    if not _find_repeats(cursor, "upload_rows", "", {}):
        return Duplicates([], 0)
    cursor.execute(_DRY_DUPLICATES, {"cap": cap})
    found = cursor.fetchall()
    return Duplicates([RowViolation(row, "user_id", "duplicate_user", reason) for row, reason, _ in found],
                      found[0][2] if found else 0)
