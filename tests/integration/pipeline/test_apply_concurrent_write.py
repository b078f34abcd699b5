"""The apply's compare-and-set against a subscription written concurrently, with two real connections.

The round's ``UPDATE`` of a subscription another transaction holds waits for it; when that
transaction commits a new offer, the compare-and-set fails, and the outcome and its reason must
describe the offer the user is on now, not the one the round's snapshot saw before it waited.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator

import pytest

from pipeline.seeding import Row, new_scenario, offers_of, outcomes_of, seed_subscriptions, stage_migration
from subshift.apply.batch import Change, plan_batch
from subshift.apply.store import Tallies, apply_round, copy_text, count_outcomes, stage
from subshift.config import DatabaseSettings
from subshift.db.connect import PgConnection, connect

pytestmark = pytest.mark.integration

# How long the test waits for the apply to queue behind the lock before it gives up (not a timing
# assertion: the apply reaches the lock in milliseconds; this only bounds a broken run).
_PATIENCE_SECONDS = 60.0


@pytest.fixture
def writer(pipeline_database: DatabaseSettings) -> Iterator[PgConnection]:
    """A second connection: the application that writes the subscription while the apply runs."""
    conn = connect(pipeline_database, application_name="pipeline-tests-writer")
    yield conn
    conn.close()


def _wait_until_blocked(observer: PgConnection, pid: int, apply: threading.Thread) -> None:
    """Return once backend ``pid`` waits for a lock another backend holds."""
    deadline = time.monotonic() + _PATIENCE_SECONDS
    while time.monotonic() < deadline and apply.is_alive():
        with observer.cursor() as cur:
            cur.execute("SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s", (pid,))
            row = cur.fetchone()
        observer.rollback()
        if row is not None and row[0] == "Lock":
            return
        time.sleep(0.05)
    pytest.fail(f"the apply (backend {pid}) never waited for the subscription's lock")


def _item(conn: PgConnection, migration_id: uuid.UUID) -> tuple[str, str, str | None]:
    with conn.cursor() as cur:
        cur.execute("SELECT outcome, reason, previous_offer FROM migration_items WHERE migration_id = %s",
                    (str(migration_id),))
        row = cur.fetchone()
    conn.rollback()
    assert row is not None
    return row[0], row[1], row[2]


@pytest.mark.parametrize("staged", [None, 1], ids=["careful", "optimistic"])
@pytest.mark.parametrize(("written", "outcome", "reason"), [
    ("other", "conflict", "user is on offer {other}, not {current}"),
    ("target", "skipped", "user is already on offer {target}"),
])
def test_a_subscription_written_while_the_apply_waits_gets_the_outcome_of_what_was_written(
        pg: PgConnection, writer: PgConnection, pipeline_database: DatabaseSettings,
        written: str, outcome: str, reason: str, staged: int | None) -> None:
    s = new_scenario(pg)
    current, target, other, _ = s.offers
    offers = {"other": other, "target": target}
    user = f"{s.prefix}-u"
    seed_subscriptions(pg, [(user, current)])
    mid = stage_migration(pg, [Row(user, current, target)])
    with pg.cursor() as cur:
        cur.execute("SELECT event_id::text, pg_backend_pid() FROM migration_items WHERE migration_id = %s",
                    (str(mid),))
        event_id, apply_pid = cur.fetchone()
    pg.rollback()
    plan = plan_batch([Change(0, 0, mid, 2, event_id, user, current, target)], [], {})

    # The application changes the user's offer and holds the row, uncommitted.
    with writer.cursor() as cur:
        cur.execute("UPDATE subscriptions SET offer_code = %s, version = version + 1 WHERE user_id = %s",
                    (offers[written], user))

    failures: list[BaseException] = []

    def apply() -> None:
        try:
            stage(pg, copy_text(plan.rows))
            tallies = Tallies()
            optimistic_for = None if staged is None else (mid, staged)
            assert apply_round(pg, 1, tallies, optimistic_for=optimistic_for) is (staged is not None)
            count_outcomes(pg, tallies)
            pg.commit()
        except BaseException as error:  # reported by the test's thread below
            failures.append(error)
            pg.rollback()

    applying = threading.Thread(target=apply, name="apply")
    applying.start()
    observer = connect(pipeline_database, application_name="pipeline-tests-observer")
    try:
        _wait_until_blocked(observer, apply_pid, applying)
    finally:
        observer.close()
        writer.commit()  # the apply's wait ends here
        applying.join()

    assert failures == []
    expected_reason = reason.format(other=other, current=current, target=target)
    assert _item(pg, mid) == (outcome, expected_reason, offers[written])
    assert outcomes_of(pg, mid) == {outcome: 1}
    assert offers_of(pg, [user]) == {user: (offers[written], 2)}  # the application's write, not the apply's
