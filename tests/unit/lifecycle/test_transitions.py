"""The transition table, walked: every allowed transition is allowed, every other one refused."""

from __future__ import annotations

import itertools

import pytest

from subshift.db.models import MigrationState
from subshift.lifecycle import TRANSITIONS, Actor, IllegalTransitionError, may, require, sources

S = MigrationState
A = Actor

# What the proto and the docs promise, written out by hand: (source, target, who). None: a new migration.
EXPECTED: frozenset[tuple[MigrationState | None, MigrationState, Actor]] = frozenset({
    (None, S.VALIDATING, A.UPLOAD),
    (None, S.VALIDATING, A.REVERT),
    (None, S.REJECTED, A.UPLOAD),
    (S.VALIDATING, S.PENDING, A.UPLOAD),
    (S.VALIDATING, S.PENDING, A.REVERT),
    (S.PENDING, S.PUBLISHING, A.RELAY),
    (S.PENDING, S.APPLYING, A.RELAY),
    (S.PUBLISHING, S.APPLYING, A.RELAY),
    (S.PENDING, S.FAILED, A.RELAY),
    (S.PUBLISHING, S.FAILED, A.RELAY),
    (S.PENDING, S.SUCCEEDED, A.CONSUMER),
    (S.PUBLISHING, S.SUCCEEDED, A.CONSUMER),
    (S.APPLYING, S.SUCCEEDED, A.CONSUMER),
    (S.PENDING, S.SUCCEEDED_WITH_ERRORS, A.CONSUMER),
    (S.PUBLISHING, S.SUCCEEDED_WITH_ERRORS, A.CONSUMER),
    (S.APPLYING, S.SUCCEEDED_WITH_ERRORS, A.CONSUMER),
    (S.PENDING, S.CANCELLED, A.CANCEL),
    (S.PUBLISHING, S.CANCELLED, A.CANCEL),
    (S.APPLYING, S.CANCELLED, A.CANCEL),
    (S.SUCCEEDED_WITH_ERRORS, S.APPLYING, A.REPLAY),
})

EVERY = list(itertools.product([None, *MigrationState], MigrationState, Actor))


def _id(case: tuple[MigrationState | None, MigrationState, Actor]) -> str:
    source, target, actor = case
    return f"{source.value if source else 'new'}-to-{target.value}-by-{actor.value}"


@pytest.mark.parametrize("case", sorted(EXPECTED, key=_id), ids=_id)
def test_an_allowed_transition_is_allowed(case: tuple[MigrationState | None, MigrationState, Actor]) -> None:
    source, target, actor = case
    assert may(source, target, actor)
    require(source, target, actor)


@pytest.mark.parametrize("case", sorted((c for c in EVERY if c not in EXPECTED), key=_id), ids=_id)
def test_every_other_transition_is_refused(case: tuple[MigrationState | None, MigrationState, Actor]) -> None:
    source, target, actor = case
    assert not may(source, target, actor)
    with pytest.raises(IllegalTransitionError, match=f"{actor.value} may not move"):
        require(source, target, actor)


def test_the_table_holds_exactly_the_expected_transitions_each_once() -> None:
    listed = [(t.source, t.target, t.actor) for t in TRANSITIONS]
    assert len(listed) == len(set(listed))
    assert set(listed) == EXPECTED


def test_no_transition_leaves_a_terminal_state_but_a_replay_reopening_succeeded_with_errors() -> None:
    leaving = {(t.source, t.target, t.actor) for t in TRANSITIONS if t.source is not None and t.source.terminal}
    assert leaving == {(S.SUCCEEDED_WITH_ERRORS, S.APPLYING, A.REPLAY)}


def test_every_transition_says_why() -> None:
    assert all(t.why for t in TRANSITIONS)


def test_a_refusal_names_what_the_table_allows_from_there() -> None:
    with pytest.raises(IllegalTransitionError) as refused:
        require(S.SUCCEEDED, S.APPLYING, A.REPLAY)
    assert str(refused.value) == ("replay may not move succeeded to applying; from succeeded the table allows: "
                                  "nothing (a final state)")
    with pytest.raises(IllegalTransitionError, match="from pending the table allows: applying by relay, "):
        require(S.PENDING, S.APPLYING, A.CONSUMER)


def test_both_finished_states_are_reached_from_the_same_states() -> None:
    # The consumer's finishing statement guards on one list for both.
    assert sources(S.SUCCEEDED, A.CONSUMER) == sources(S.SUCCEEDED_WITH_ERRORS, A.CONSUMER) == (
        S.PENDING, S.PUBLISHING, S.APPLYING)
