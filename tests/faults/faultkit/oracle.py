"""The one oracle every fault scenario ends with.

Given the uploads of a scenario in the order they were applied, it checks:

1. every migration item has exactly one final outcome (none pending), and it is the outcome a
   plain-SQL reference run predicts;
2. the migration's counters equal a recount of its items, and its state is terminal;
3. the final ``subscriptions`` rows (user, offer, version) equal those of the reference run: the
   seed copy (``oracle_seed``) with each migration applied by one set-based ``UPDATE … FROM`` in
   order, which bumps a version exactly once per applied item (so no event was applied twice);
4. nothing was dead-lettered (no item, no record on the dead-letter topic) unless the scenario
   injected poison itself.

Problems are returned as sentences; ``Verdict.observed`` is the one-line summary for the report.
"""

from __future__ import annotations

import io
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from faultkit.datasets import Row
from subshift.db.connect import PgConnection
from subshift.db.models import COUNTER_COLUMNS, ItemOutcome

__all__ = ["Upload", "Verdict", "judge"]

_TERMINAL = ("succeeded", "succeeded_with_errors")


@dataclass(frozen=True)
class Upload:
    """A staged migration and the CSV rows it came from (row numbers start at 2)."""

    migration_id: str
    rows: list[Row]


@dataclass
class Verdict:
    problems: list[str] = field(default_factory=list)
    outcomes: Counter[str] = field(default_factory=Counter)
    users: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def observed(self) -> str:
        counts = ", ".join(f"{k} {v}" for k, v in sorted(self.outcomes.items()))
        if self.ok:
            return f"{sum(self.outcomes.values())} items exact ({counts}); {self.users} subscriptions = reference"
        return f"{len(self.problems)} problem(s): {self.problems[0]}"

    def explain(self) -> str:
        return "\n".join(self.problems[:20])


def _load_rows(cur: Any, uploads: list[Upload], order: str) -> int:
    """Every CSV row into ``oracle_rows`` with its round (``seq``); returns the last round."""
    lines = "".join(f"{u.migration_id}\t{n}\t{user}\t{c}\t{t}\t{k}\n"
                    for k, u in enumerate(uploads) for n, (user, c, t) in enumerate(u.rows, 2))
    cur.copy_expert("COPY oracle_rows (migration_id, row_number, user_id, current_offer, target_offer, seq) "
                    "FROM STDIN", io.StringIO(lines))
    if order == "log":
        # Each user's changes in the order the log holds them (one partition per user, so offsets order them).
        cur.execute("UPDATE oracle_rows r SET seq = o.seq FROM (SELECT r2.migration_id, r2.row_number, "
                    "row_number() OVER (PARTITION BY r2.user_id ORDER BY i.kafka_partition, i.kafka_offset) AS seq "
                    "FROM oracle_rows r2 JOIN migration_items i ON i.migration_id = r2.migration_id "
                    "AND i.row_number = r2.row_number) o WHERE o.migration_id = r.migration_id "
                    "AND o.row_number = r.row_number")
    cur.execute("SELECT coalesce(max(seq), -1) FROM oracle_rows")
    return int(cur.fetchone()[0])


def _reference_run(cur: Any, uploads: list[Upload], order: str) -> dict[tuple[str, int], str]:
    """Apply every row to ``oracle_ref`` in plain SQL, round by round; the outcome each row must have had."""
    last = _load_rows(cur, uploads, order)
    expected: dict[tuple[str, int], str] = {}
    for seq in range(0, last + 1):
        cur.execute(
            "SELECT i.migration_id, i.row_number, CASE WHEN r.user_id IS NULL THEN 'not_found' "
            "WHEN r.offer_code = i.current_offer THEN 'applied' WHEN r.offer_code = i.target_offer THEN 'skipped' "
            "ELSE 'conflict' END FROM oracle_rows i LEFT JOIN oracle_ref r ON r.user_id = i.user_id "
            "WHERE i.seq = %s", (seq,))
        expected.update({(str(m), int(n)): str(o) for m, n, o in cur.fetchall()})
        cur.execute("UPDATE oracle_ref r SET offer_code = i.target_offer, version = r.version + 1 "
                    "FROM oracle_rows i WHERE i.seq = %s AND r.user_id = i.user_id "
                    "AND r.offer_code = i.current_offer", (seq,))
    return expected


def judge(conn: PgConnection, uploads: list[Upload], *, dead_letter_records: int = 0,
          allow_dead_letters: bool = False, order: str = "uploads") -> Verdict:
    """Check the final state of a scenario against the reference run (see the module docstring).

    ``order``: ``"uploads"`` applies the migrations one after the other in the order given;
    ``"log"`` applies each user's changes in the order of their events in the log (for migrations
    that ran at the same time).
    """
    verdict = Verdict()
    with conn.cursor() as cur:
        cur.execute("CREATE TEMP TABLE oracle_ref ON COMMIT DROP AS SELECT * FROM oracle_seed")
        cur.execute("CREATE TEMP TABLE oracle_rows (migration_id uuid, row_number bigint, user_id text, "
                    "current_offer text, target_offer text, seq integer) ON COMMIT DROP")
        expected = _reference_run(cur, uploads, order)
        for upload in uploads:
            cur.execute("SELECT row_number, outcome FROM migration_items WHERE migration_id = %s",
                        (upload.migration_id,))
            found = {int(n): str(o) for n, o in cur.fetchall()}
            want = {n: o for (m, n), o in expected.items() if m == upload.migration_id}
            if len(found) != len(want):
                verdict.problems.append(f"migration {upload.migration_id}: {len(found)} items for {len(want)} rows")
            wrong = [(n, o, found.get(n, "missing")) for n, o in sorted(want.items()) if found.get(n) != o]
            for n, o, got in wrong[:5]:
                verdict.problems.append(f"migration {upload.migration_id} row {n}: outcome {got}, reference {o}")
            if len(wrong) > 5:
                verdict.problems.append(f"migration {upload.migration_id}: {len(wrong)} outcomes differ in all")
            verdict.outcomes.update(found.values())
            _check_counters(cur, upload.migration_id, verdict)
        cur.execute("SELECT user_id, offer_code, version FROM oracle_ref "
                    "EXCEPT SELECT user_id, offer_code, version FROM subscriptions")
        missing = cur.fetchall()
        cur.execute("SELECT user_id, offer_code, version FROM subscriptions "
                    "EXCEPT SELECT user_id, offer_code, version FROM oracle_ref")
        extra = cur.fetchall()
        cur.execute("SELECT count(*) FROM subscriptions")
        verdict.users = int(cur.fetchone()[0])
    conn.rollback()
    for user, offer, version in missing[:5]:
        verdict.problems.append(f"user {user}: reference has {offer} v{version}, subscriptions differ")
    for user, offer, version in extra[:5]:
        verdict.problems.append(f"user {user}: subscriptions has {offer} v{version}, the reference does not")
    dead = verdict.outcomes[ItemOutcome.DEAD_LETTERED.value]
    if not allow_dead_letters and (dead or dead_letter_records):
        verdict.problems.append(f"{dead} items dead-lettered, {dead_letter_records} records on the dead-letter "
                                "topic, though every event could be applied")
    return verdict


def _check_counters(cur: object, migration_id: str, verdict: Verdict) -> None:
    cur.execute("SELECT outcome, count(*) FROM migration_items WHERE migration_id = %s GROUP BY 1",  # type: ignore[attr-defined]
                (migration_id,))
    recount = {str(o): int(n) for o, n in cur.fetchall()}  # type: ignore[attr-defined]
    cur.execute("SELECT * FROM migrations WHERE id = %s", (migration_id,))  # type: ignore[attr-defined]
    names = [d[0] for d in cur.description]  # type: ignore[attr-defined]
    row = dict(zip(names, cur.fetchone(), strict=True))  # type: ignore[attr-defined]
    for outcome, column in COUNTER_COLUMNS.items():
        if row[column] != recount.get(outcome.value, 0):
            verdict.problems.append(f"migration {migration_id}: {column} = {row[column]}, items say "
                                    f"{recount.get(outcome.value, 0)}")
    if recount.get(ItemOutcome.PENDING.value):
        verdict.problems.append(f"migration {migration_id}: {recount['pending']} items still pending")
    if row["state"] not in _TERMINAL:
        verdict.problems.append(f"migration {migration_id}: state {row['state']}, not terminal")
    consumed = [o.value for o in (ItemOutcome.APPLIED, ItemOutcome.SKIPPED, ItemOutcome.CONFLICT,
                                  ItemOutcome.NOT_FOUND, ItemOutcome.DEAD_LETTERED)]
    cur.execute("SELECT count(*) FROM migration_items WHERE migration_id = %s AND outcome = ANY(%s) "  # type: ignore[attr-defined]
                "AND (published_at IS NULL OR kafka_partition IS NULL OR kafka_offset IS NULL)",
                (migration_id, consumed))
    without_lineage = int(cur.fetchone()[0])  # type: ignore[attr-defined]
    if without_lineage:
        verdict.problems.append(f"migration {migration_id}: {without_lineage} consumed items lack their Kafka "
                                "position or publish time")
    cur.execute("SELECT count(*) FROM migration_items i JOIN migrations m ON m.id = i.migration_id "  # type: ignore[attr-defined]
                "WHERE i.migration_id = %s AND i.event_id IS NOT NULL AND i.row_number > m.publish_cursor",
                (migration_id,))
    queued = int(cur.fetchone()[0])  # type: ignore[attr-defined]
    if queued and row["state"] != "cancelled":
        verdict.problems.append(f"migration {migration_id}: {queued} items after the publish cursor")
    if row["state"] != "cancelled" and row["published"] != row["staged"]:
        verdict.problems.append(f"migration {migration_id}: published = {row['published']}, staged = {row['staged']}")

