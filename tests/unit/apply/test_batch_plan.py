"""What makes a polled batch safe to apply, before any SQL runs."""

from __future__ import annotations

import uuid

import pytest

from subshift.apply.batch import (
    Change,
    canonical_uuid,
    plan_batch,
    positions_of,
    prepare_batch,
    validation_problem,
)
from subshift.deadletter.letters import DeadLetter
from subshift.faults import PermanentRecordError
from subshift_client.decoded import MessageRef

M1, M2 = uuid.UUID(int=1), uuid.UUID(int=2)


def change(partition: int, offset: int, row: int, user: str, migration: uuid.UUID = M1, *,
           event_id: str | None = None) -> Change:
    event = event_id if event_id is not None else str(uuid.uuid5(migration, str(row)))  # one per item
    return Change(partition, offset, migration, row, event, user, "a", "b")


def test_records_below_the_stored_offset_were_applied_already_and_are_dropped() -> None:
    plan = plan_batch([change(0, 4, 2, "u1"), change(0, 5, 3, "u2"), change(1, 0, 4, "u3")], [], {0: 5})
    assert [(r.partition, r.offset) for r in plan.rows] == [(0, 5), (1, 0)]
    assert plan.already_applied == 1


def test_the_same_item_twice_in_one_batch_counts_once() -> None:
    plan = plan_batch([change(0, 1, 2, "u1"), change(0, 7, 2, "u1")], [], {})
    assert len(plan.rows) == 1 and plan.duplicates == 1 and plan.rows[0].offset == 1


def test_another_event_naming_the_same_item_is_kept_for_the_apply_to_judge() -> None:
    forged = change(0, 1, 2, "intruder", event_id=str(uuid.UUID(int=99)))
    plan = plan_batch([forged, change(0, 7, 2, "u1"), change(0, 8, 2, "u1")], [], {})
    assert [(r.offset, r.user_id) for r in plan.rows] == [(1, "intruder"), (7, "u1")]
    assert plan.duplicates == 1


@pytest.mark.parametrize(("text", "canonical"), [
    ("0a1b2c3d-0000-4000-8000-00000000000f", "0a1b2c3d-0000-4000-8000-00000000000f"),
    ("{0A1B2C3D-0000-4000-8000-00000000000F}", "0a1b2c3d-0000-4000-8000-00000000000f"),
    ("urn:uuid:0a1b2c3d000040008000-00000000000f", "0a1b2c3d-0000-4000-8000-00000000000f"),
    ("not-a-uuid", None),
], ids=["canonical", "braces-upper-case", "urn-odd-hyphens", "not-a-uuid"])
def test_event_ids_are_compared_in_canonical_form(text: str, canonical: str | None) -> None:
    assert canonical_uuid(text) == canonical


def test_a_users_changes_are_numbered_in_offset_order_so_rounds_apply_them_in_order() -> None:
    plan = plan_batch([change(2, 9, 3, "u1", M2), change(2, 3, 2, "u1"), change(2, 5, 4, "u2")], [], {})
    assert [(r.user_id, r.offset, r.seq) for r in plan.rows] == [("u1", 3, 1), ("u2", 5, 1), ("u1", 9, 2)]
    assert plan.rounds == 2
    assert plan.per_round == [2, 1]


def test_each_round_counts_its_staged_rows_dead_letters_in_the_first() -> None:
    error = PermanentRecordError("bad")
    plan = plan_batch([change(0, 1, 2, "u1"), change(0, 2, 3, "u1"), change(0, 3, 4, "u1")],
                      [DeadLetter(0, 4, "invalid_record", error, M1, 9)], {})
    assert plan.per_round == [2, 1, 1]
    assert [sum(1 for r in plan.rows if r.seq == seq) for seq in range(1, plan.rounds + 1)] == plan.per_round


def test_each_round_names_its_one_migration_or_none_when_it_holds_several() -> None:
    plan = plan_batch([change(0, 1, 2, "u1"), change(0, 2, 3, "u2", M2), change(0, 3, 4, "u1")], [], {})
    assert plan.round_migration == [None, M1]  # round 1: u1 of M1 and u2 of M2; round 2: u1's second change


def test_dead_letters_with_a_known_item_are_staged_with_their_outcome_preset() -> None:
    error = PermanentRecordError("bad")
    plan = plan_batch([], [DeadLetter(1, 3, "invalid_record", error, M1, 7), DeadLetter(1, 4, "no_value", error)],
                      {})
    assert len(plan.dead) == 2
    [row] = plan.rows
    assert (row.outcome, row.reason, row.seq, row.row_number) == ("dead_lettered", "invalid_record", 1, 7)
    assert plan.per_round == [1]
    assert plan.dead_rows == {0: 0}


def test_a_batch_prepared_before_its_transaction_keeps_its_plan_when_the_database_applied_none_of_it() -> None:
    prepared = prepare_batch([change(0, 5, 2, "u1"), change(1, 3, 3, "u2")], [])
    plan, text = prepared.plan_for({0: 5, 1: 0})
    assert plan is prepared.plan and text == prepared.text
    assert [line.split("\t")[2:4] for line in text.splitlines()] == [[str(M1), "2"], [str(M1), "3"]]


def test_a_prepared_batch_is_planned_again_without_what_the_stored_offsets_cover() -> None:
    error = PermanentRecordError("bad")
    prepared = prepare_batch([change(0, 5, 2, "u1"), change(0, 6, 3, "u2"), change(1, 3, 4, "u3")],
                             [DeadLetter(0, 4, "invalid_record", error, M1, 9)])
    plan, text = prepared.plan_for({0: 6})
    assert [(r.partition, r.offset) for r in plan.rows] == [(0, 6), (1, 3)]
    assert plan.already_applied == 2 and plan.dead == []
    assert [line.split("\t")[3] for line in text.splitlines()] == ["3", "4"]


@pytest.mark.parametrize(
    ("fields", "problem"),
    [
        pytest.param({"migration_id": None}, "is not a UUID", id="migration-id-not-uuid"),
        pytest.param({"event_id": "not-a-uuid"}, "event_id 'not-a-uuid' is not a UUID", id="event-id-not-uuid"),
        pytest.param({"row_number": None}, "does not name a migration item", id="no-row-number"),
        pytest.param({"user_id": ""}, "user_id is empty", id="empty-user"),
        pytest.param({"target_offer": "a"}, "are both 'a'", id="current-equals-target"),
        pytest.param({"key": b"someone-else"}, "key is not the event's user_id", id="key-mismatch"),
    ],
)
def test_validation_names_the_problem(fields: dict[str, object], problem: str) -> None:
    valid: dict[str, object] = {"event_id": "6f1c2a56-52a5-4a4f-9d0e-2b7f1c3f4a10", "migration_id": M1,
                                "user_id": "u1", "current_offer": "a", "target_offer": "b", "row_number": 2,
                                "key": b"u1"}
    assert validation_problem(**valid) is None  # type: ignore[arg-type]
    found = validation_problem(**{**valid, **fields})  # type: ignore[arg-type]
    assert found is not None and problem in found


@pytest.mark.parametrize("event_id", ["6F1C2A56-52A5-4A4F-9D0E-2B7F1C3F4A10", "{6f1c2a56-52a5-4a4f-9d0e-2b7f1c3f4a10}",
                                      "6f1c2a5652a54a4f9d0e2b7f1c3f4a10"])
def test_an_event_id_in_another_form_python_reads_as_a_uuid_is_accepted(event_id: str) -> None:
    assert validation_problem(event_id=event_id, migration_id=M1, user_id="u1", current_offer="a", target_offer="b",
                              row_number=2, key=b"u1") is None


def ref(partition: int, offset: int, traceparent: str | None = None) -> MessageRef:
    headers = (("traceparent", traceparent.encode()),) if traceparent else ()
    return MessageRef(topic="t", partition=partition, offset=offset, key=None, value=None, headers=headers)


def test_a_batch_commits_past_the_newest_record_of_each_partition_whatever_their_order() -> None:
    refs = [ref(0, 7), ref(1, 3), ref(0, 9), ref(0, 8), ref(1, 2)]
    positions = positions_of({(r.partition, r.offset): r for r in refs})
    assert positions.next_offsets == {0: 10, 1: 4}
    assert {p: r.offset for p, r in positions.newest.items()} == {0: 9, 1: 3}


def test_a_batch_continues_each_trace_once_in_the_order_first_seen() -> None:
    a, b = "00-" + "a" * 32 + "-" + "1" * 16 + "-01", "00-" + "b" * 32 + "-" + "2" * 16 + "-01"
    refs = [ref(0, 1, b), ref(0, 2), ref(0, 3, a), ref(0, 4, b)]
    assert positions_of({(r.partition, r.offset): r for r in refs}).parents == [b, None, a]
