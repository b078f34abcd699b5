"""Test data written straight to PostgreSQL, the way staging writes it: offers, subscriptions, a migration
and its items. Every call uses its own prefix, so tests share the database without seeing each other."""

from __future__ import annotations

import io
import uuid
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from subshift.db.connect import PgConnection
from subshift.db.models import ItemOutcome, MigrationState
from subshift.lifecycle.storage import attach_items_table, create_items_table


@dataclass(frozen=True)
class Row:
    user_id: str
    current_offer: str
    target_offer: str


@dataclass(frozen=True)
class Scenario:
    prefix: str
    offers: tuple[str, ...]


def new_scenario(conn: PgConnection, offer_count: int = 4) -> Scenario:
    prefix = f"t{uuid.uuid4().hex[:10]}"
    offers = tuple(f"{prefix}-offer-{n}" for n in range(offer_count))
    with conn.cursor() as cur:
        cur.executemany("INSERT INTO offers (code, name) VALUES (%s, %s)", [(o, o) for o in offers])
    conn.commit()
    return Scenario(prefix, offers)


def seed_subscriptions(conn: PgConnection, subscriptions: Sequence[tuple[str, str]]) -> None:
    buffer = io.StringIO("".join(f"{u}\t{o}\n" for u, o in subscriptions))
    with conn.cursor() as cur:
        cur.copy_expert("COPY subscriptions (user_id, offer_code) FROM STDIN", buffer)
    conn.commit()


def stage_migration(conn: PgConnection, rows: Sequence[Row], *, max_rows_per_second: int = 0,
                    state: MigrationState = MigrationState.PENDING) -> uuid.UUID:
    """A migration and its items in one transaction, as the API stages an upload (row numbers from 2)."""
    migration_id = uuid.uuid4()
    with conn.cursor() as cur:
        cur.execute(
            "INSERT INTO migrations (id, content_sha256, state, created_by, rows_received, staged, "
            "max_rows_per_second) VALUES (%s, %s, %s, %s, %s, %s, %s)",
            (str(migration_id), uuid.uuid4().hex, state.value, "pipeline-test", len(rows), len(rows),
             max_rows_per_second),
        )
        # Its partition, as lifecycle.insert_validating creates it; mark_staged attaches a VALIDATING one's.
        table = create_items_table(cur, migration_id)
        if state is not MigrationState.VALIDATING:
            attach_items_table(cur, migration_id)
            table = "migration_items"
        buffer = io.StringIO("".join(
            f"{migration_id}\t{n}\t{r.user_id}\t{r.current_offer}\t{r.target_offer}\t{uuid.uuid4()}\n"
            for n, r in enumerate(rows, start=2)
        ))
        cur.copy_expert(f"COPY {table} (migration_id, row_number, user_id, current_offer, target_offer, "
                        "event_id) FROM STDIN", buffer)
    conn.commit()
    return migration_id


def offers_of(conn: PgConnection, users: Sequence[str]) -> dict[str, tuple[str, int]]:
    with conn.cursor() as cur:
        cur.execute("SELECT user_id, offer_code, version FROM subscriptions WHERE user_id = ANY(%s)", (list(users),))
        result = {u: (o, v) for u, o, v in cur.fetchall()}
    conn.rollback()
    return result


def outcomes_of(conn: PgConnection, migration_id: uuid.UUID) -> Counter[str]:
    with conn.cursor() as cur:
        cur.execute("SELECT outcome, count(*) FROM migration_items WHERE migration_id = %s GROUP BY 1",
                    (str(migration_id),))
        result = Counter({o: int(n) for o, n in cur.fetchall()})
    conn.rollback()
    return result


def migration_row(conn: PgConnection, migration_id: uuid.UUID) -> dict[str, object]:
    with conn.cursor() as cur:
        cur.execute("SELECT * FROM migrations WHERE id = %s", (str(migration_id),))
        names = [d[0] for d in cur.description or ()]
        row = cur.fetchone()
    conn.rollback()
    assert row is not None
    return dict(zip(names, row, strict=True))


def assert_counters_match_items(conn: PgConnection, migration_id: uuid.UUID) -> None:
    """The migration's counters equal a recount of its items."""
    counts = outcomes_of(conn, migration_id)
    row = migration_row(conn, migration_id)
    for outcome, column in (("applied", "applied"), ("skipped", "skipped"), ("conflict", "conflicts"),
                            ("not_found", "not_found"), ("dead_lettered", "dead_lettered")):
        assert row[column] == counts.get(outcome, 0), (column, row[column], counts)
    with conn.cursor() as cur:
        cur.execute("SELECT count(*) FROM migration_items WHERE migration_id = %s AND event_id IS NOT NULL "
                    "AND row_number <= %s", (str(migration_id), row["publish_cursor"]))
        behind = cur.fetchone()
    conn.rollback()
    assert behind is not None
    assert row["published"] == behind[0]  # every staged item behind the publish cursor was counted once
    assert ItemOutcome.PENDING.value not in counts or row["state"] not in ("succeeded", "succeeded_with_errors")


@dataclass(frozen=True)
class Expected:
    """A staged migration and what must be true once it is applied."""

    migration_id: uuid.UUID
    users: tuple[str, ...]
    final_offer: dict[str, str]  # user → offer after the run (absent: no subscription)
    final_version: dict[str, int]
    outcomes: Counter[str]


def stage_mixed(conn: PgConnection, rows: int, *, max_rows_per_second: int = 0) -> Expected:
    """``rows`` items: 70 % apply, 10 % already on target, 10 % on another offer, 10 % without subscription."""
    s = new_scenario(conn)
    current, target, other, _ = s.offers
    users = tuple(f"{s.prefix}-u{n:07d}" for n in range(rows))
    kinds = ["applied"] * 7 + ["skipped", "conflict", "not_found"]
    start_offer = {"applied": current, "skipped": target, "conflict": other}
    subscriptions, final, outcomes = [], {}, Counter[str]()
    for n, user in enumerate(users):
        kind = kinds[n % 10]
        outcomes[kind] += 1
        if kind in start_offer:
            subscriptions.append((user, start_offer[kind]))
            final[user] = target if kind == "applied" else start_offer[kind]
    seed_subscriptions(conn, subscriptions)
    migration_id = stage_migration(conn, [Row(u, current, target) for u in users],
                                   max_rows_per_second=max_rows_per_second)
    versions = {u: 2 if final.get(u) == target and start_offer.get(kinds[n % 10]) == current else 1
                for n, u in enumerate(users) if u in final}
    return Expected(migration_id, users, final, versions, outcomes)


def assert_applied_exactly(conn: PgConnection, expected: Expected) -> None:
    """Every user on the expected offer, bumped once per applied item; every item one outcome; counters exact."""
    found = offers_of(conn, expected.users)
    assert {u: o for u, (o, _) in found.items()} == expected.final_offer
    assert {u: v for u, (_, v) in found.items()} == expected.final_version
    assert outcomes_of(conn, expected.migration_id) == expected.outcomes
    assert_counters_match_items(conn, expected.migration_id)
    row = migration_row(conn, expected.migration_id)
    errors = expected.outcomes["conflict"] + expected.outcomes["not_found"] + expected.outcomes["dead_lettered"]
    assert row["state"] == ("succeeded_with_errors" if errors else "succeeded")
    assert row["published"] == len(expected.users)


def is_terminal(conn: PgConnection, migration_id: uuid.UUID) -> bool:
    return migration_row(conn, migration_id)["state"] in ("succeeded", "succeeded_with_errors", "failed")
