"""The set-based apply on the real PostgreSQL: compare-and-set outcomes, idempotence, counters, terminal state."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

import pytest

from pipeline.seeding import (
    Row,
    assert_counters_match_items,
    migration_row,
    new_scenario,
    offers_of,
    outcomes_of,
    seed_subscriptions,
    stage_migration,
)
from subshift.apply.batch import Change, plan_batch, prepare_batch
from subshift.apply.offsets import lock_offsets, save_offsets
from subshift.apply.store import Tallies, apply_round, copy_text, count_outcomes, find_orphans, stage
from subshift.apply.transaction import apply_batch
from subshift.db.connect import PgConnection
from subshift.deadletter.letters import DeadLetter

pytestmark = pytest.mark.integration


def _changes(conn: PgConnection, migration_id: uuid.UUID, partition: int = 0, offset: int = 0) -> list[Change]:
    with conn.cursor() as cur:
        cur.execute("SELECT row_number, event_id::text, user_id, current_offer, target_offer FROM migration_items "
                    "WHERE migration_id = %s ORDER BY row_number", (str(migration_id),))
        rows = cur.fetchall()
    conn.rollback()
    return [Change(partition, n, migration_id, rn, e, u, c, t) for n, (rn, e, u, c, t) in enumerate(rows, offset)]


def _apply(conn: PgConnection, changes: list[Change], *, optimistic: bool = True) -> None:
    if optimistic:  # the consumer's transaction; a group of its own, so no stored offset drops a redelivery
        apply_batch(conn, prepare_batch(changes, []), group_id=f"g-{uuid.uuid4().hex}", topic="user-offers",
                    next_offsets={c.partition: c.offset + 1 for c in changes}, identity=None, send=_no_letters)
        return
    plan = plan_batch(changes, [], {})
    stage(conn, copy_text(plan.rows))
    tallies = Tallies()
    for seq in range(1, plan.rounds + 1):
        apply_round(conn, seq, tallies)
    assert find_orphans(conn) == []
    count_outcomes(conn, tallies)
    conn.commit()


def _no_letters(dead: Sequence[DeadLetter]) -> list[tuple[int, int]]:
    raise AssertionError(f"no dead letter expected, got {dead}")


@pytest.fixture(params=[True, False], ids=["optimistic", "careful"])
def optimistic(request: pytest.FixtureRequest) -> bool:
    return bool(request.param)


def test_each_row_gets_the_outcome_its_subscription_calls_for(pg: PgConnection, optimistic: bool) -> None:
    s = new_scenario(pg)
    a, b, c, _ = s.offers
    users = [f"{s.prefix}-u{n}" for n in range(4)]
    seed_subscriptions(pg, [(users[0], a), (users[1], b), (users[2], c)])
    rows = [Row(users[0], a, b), Row(users[1], a, b), Row(users[2], a, b), Row(users[3], a, b)]
    mid = stage_migration(pg, rows)

    _apply(pg, _changes(pg, mid), optimistic=optimistic)

    assert outcomes_of(pg, mid) == {"applied": 1, "skipped": 1, "conflict": 1, "not_found": 1}
    assert offers_of(pg, users) == {users[0]: (b, 2), users[1]: (b, 1), users[2]: (c, 1)}
    row = migration_row(pg, mid)
    assert row["state"] == "succeeded_with_errors"
    assert_counters_match_items(pg, mid)


def test_applying_the_same_batch_again_changes_nothing(pg: PgConnection, optimistic: bool) -> None:
    s = new_scenario(pg)
    a, b, *_ = s.offers
    users = [f"{s.prefix}-u{n}" for n in range(50)]
    seed_subscriptions(pg, [(u, a) for u in users])
    mid = stage_migration(pg, [Row(u, a, b) for u in users])
    changes = _changes(pg, mid)

    _apply(pg, changes, optimistic=optimistic)
    _apply(pg, changes, optimistic=optimistic)

    assert outcomes_of(pg, mid) == {"applied": 50}
    assert set(offers_of(pg, users).values()) == {(b, 2)}
    assert migration_row(pg, mid)["state"] == "succeeded"
    assert_counters_match_items(pg, mid)


def test_two_changes_of_one_user_in_one_batch_apply_in_offset_order(pg: PgConnection, optimistic: bool) -> None:
    s = new_scenario(pg)
    a, b, c, _ = s.offers
    user = f"{s.prefix}-u"
    seed_subscriptions(pg, [(user, a)])
    first = stage_migration(pg, [Row(user, a, b)])
    second = stage_migration(pg, [Row(user, b, c)])
    changes = [*_changes(pg, first), *_changes(pg, second, offset=1)]

    _apply(pg, changes, optimistic=optimistic)

    assert offers_of(pg, [user]) == {user: (c, 3)}
    assert outcomes_of(pg, first) == {"applied": 1}
    assert outcomes_of(pg, second) == {"applied": 1}


def test_records_below_the_stored_offset_are_dropped_before_apply(pg: PgConnection) -> None:
    group = f"g-{new_scenario(pg, 0).prefix}"
    save_offsets(pg, group, "user-offers", {0: 10, 1: 3})
    save_offsets(pg, group, "user-offers", {0: 7})  # never backwards
    pg.commit()
    stored = lock_offsets(pg, group, "user-offers", [0, 1, 2])
    pg.rollback()
    assert stored == {0: 10, 1: 3}


def test_a_change_that_is_not_its_items_event_is_left_alone_and_named_with_what_differs(pg: PgConnection) -> None:
    s = new_scenario(pg)
    a, b, c, _ = s.offers
    user, other = f"{s.prefix}-u", f"{s.prefix}-other"
    seed_subscriptions(pg, [(user, a), (other, a)])
    mid = stage_migration(pg, [Row(user, a, b)])
    [own] = _changes(pg, mid)
    forged = [
        Change(0, 1, mid, 2, own.event_id, other, a, b),
        Change(1, 1, mid, 2, str(uuid.uuid4()), user, a, c),
        Change(2, 1, mid, 99, own.event_id, user, a, b),
    ]
    plan = plan_batch(forged, [], {})
    stage(pg, copy_text(plan.rows))
    tallies = Tallies()
    for seq in range(1, plan.rounds + 1):
        apply_round(pg, seq, tallies)

    orphans = find_orphans(pg)
    pg.rollback()

    assert tallies.recorded == 0
    assert [plan.rows[o.idx].partition for o in orphans] == [0, 1, 2]
    assert [o.mismatched for o in orphans] == [("user_id",), ("event_id", "target_offer"), ()]
    assert outcomes_of(pg, mid) == {"pending": 1}
    assert offers_of(pg, [user, other]) == {user: (a, 1), other: (a, 1)}


def test_a_round_whose_optimistic_statement_meets_a_forged_event_is_applied_carefully(pg: PgConnection) -> None:
    s = new_scenario(pg)
    a, b, *_ = s.offers
    user, victim = f"{s.prefix}-u", f"{s.prefix}-victim"
    seed_subscriptions(pg, [(user, a), (victim, a)])
    mid = stage_migration(pg, [Row(user, a, b), Row(f"{s.prefix}-x", a, b)])
    own, other = _changes(pg, mid)
    # The second item's event id, but another user: the optimistic statement moves the victim's
    # subscription before the item refuses the event, so its round must be rolled back.
    forged = Change(0, 1, mid, other.row_number, other.event_id, victim, a, b)
    letters: list[DeadLetter] = []

    def send(dead: Sequence[DeadLetter]) -> list[tuple[int, int]]:
        letters.extend(dead)
        return [(0, n) for n in range(len(dead))]

    plan, tallies = apply_batch(pg, prepare_batch([own, forged], []), group_id=f"g-{s.prefix}", topic="user-offers",
                                next_offsets={0: 2}, identity=None, send=send)

    assert plan.careful_rounds == 1
    assert tallies.recorded == 1
    assert [(d.offset, d.reason) for d in letters] == [(1, "mismatched_item")]
    assert offers_of(pg, [user, victim]) == {user: (b, 2), victim: (a, 1)}
    assert outcomes_of(pg, mid) == {"applied": 1, "pending": 1}
    assert_counters_match_items(pg, mid)


def test_a_user_changed_many_times_in_one_batch_has_its_late_rounds_applied_carefully(pg: PgConnection) -> None:
    s = new_scenario(pg)
    a, b, *_ = s.offers
    user = f"{s.prefix}-u"
    seed_subscriptions(pg, [(user, a)])
    mid = stage_migration(pg, [Row(user, a, b) if n % 2 == 0 else Row(user, b, a) for n in range(20)])

    plan, tallies = apply_batch(pg, prepare_batch(_changes(pg, mid), []), group_id=f"g-{s.prefix}",
                                topic="user-offers", next_offsets={0: 20}, identity=None, send=_no_letters)

    assert (plan.rounds, plan.careful_rounds, tallies.recorded) == (20, 4, 20)
    assert outcomes_of(pg, mid) == {"applied": 20}
    assert offers_of(pg, [user]) == {user: (a, 21)}


@pytest.mark.parametrize("first_user_moves", [True, False], ids=["moves-then-the-rest", "nothing-moves"])
def test_a_round_of_every_outcome_stands_optimistically_with_each_items_reason(pg: PgConnection,
                                                                                first_user_moves: bool) -> None:
    # With a move, the moves run alone and the four rows left are decided after them; without one,
    # every row is decided in one statement. Neither needs the careful round.
    s = new_scenario(pg, offer_count=5)
    a, b, c, _, gone = s.offers
    users = [f"{s.prefix}-u{n}" for n in range(5)]
    first_offer = a if first_user_moves else b
    seed_subscriptions(pg, [(users[0], first_offer), (users[1], b), (users[2], c), (users[4], a)])
    mid = stage_migration(pg, [Row(users[0], a, b), Row(users[1], a, b), Row(users[2], a, b), Row(users[3], a, b),
                               Row(users[4], a, gone)])
    with pg.cursor() as cur:
        cur.execute("DELETE FROM offers WHERE code = %s", (gone,))  # removed after staging
    pg.commit()

    plan, tallies = apply_batch(pg, prepare_batch(_changes(pg, mid), []), group_id=f"g-{s.prefix}",
                                topic="user-offers", next_offsets={0: 5}, identity=None, send=_no_letters)

    assert (plan.rounds, plan.careful_rounds, tallies.recorded) == (1, 0, 5)
    with pg.cursor() as cur:
        cur.execute("SELECT user_id, outcome, reason, previous_offer, kafka_offset FROM migration_items "
                    "WHERE migration_id = %s ORDER BY row_number", (str(mid),))
        items = cur.fetchall()
    pg.rollback()
    first = (users[0], "applied", "", a, 0) if first_user_moves else (
        users[0], "skipped", f"user is already on offer {b}", b, 0)
    assert items == [
        first,
        (users[1], "skipped", f"user is already on offer {b}", b, 1),
        (users[2], "conflict", f"user is on offer {c}, not {a}", c, 2),
        (users[3], "not_found", f"user {users[3]} has no subscription", None, 3),
        (users[4], "conflict", f"target offer {gone} does not exist", a, 4),
    ]
    assert offers_of(pg, users) == {users[0]: (b, 2 if first_user_moves else 1), users[1]: (b, 1),
                                    users[2]: (c, 1), users[4]: (a, 1)}
    assert_counters_match_items(pg, mid)
