"""The mode → (reader, writer) mapping and which earlier versions each mode looks at."""

from __future__ import annotations

import pytest

from subshift.errors import DataError
from subshift_contracts.modes import Direction, Mode, parse_mode, reader_writer_pairs, versions_to_check

EXPECTED_DIRECTIONS = {
    Mode.BACKWARD: {Direction.BACKWARD},
    Mode.BACKWARD_TRANSITIVE: {Direction.BACKWARD},
    Mode.FORWARD: {Direction.FORWARD},
    Mode.FORWARD_TRANSITIVE: {Direction.FORWARD},
    Mode.FULL: {Direction.BACKWARD, Direction.FORWARD},
    Mode.FULL_TRANSITIVE: {Direction.BACKWARD, Direction.FORWARD},
    Mode.NONE: set(),
}


def test_there_are_exactly_the_seven_confluent_modes() -> None:
    assert {m.value for m in Mode} == {
        "BACKWARD", "BACKWARD_TRANSITIVE", "FORWARD", "FORWARD_TRANSITIVE", "FULL", "FULL_TRANSITIVE", "NONE"}


@pytest.mark.parametrize("mode", list(Mode), ids=[m.value for m in Mode])
def test_each_mode_checks_its_directions(mode: Mode) -> None:
    assert {pair.direction for pair in reader_writer_pairs(mode, "new", "old")} == EXPECTED_DIRECTIONS[mode]


def test_backward_means_the_new_schema_reads_what_the_old_one_wrote() -> None:
    [pair] = reader_writer_pairs(Mode.BACKWARD, "new", "old")
    assert (pair.reader, pair.writer) == ("new", "old")


def test_forward_means_the_old_schema_reads_what_the_new_one_writes() -> None:
    [pair] = reader_writer_pairs(Mode.FORWARD, "new", "old")
    assert (pair.reader, pair.writer) == ("old", "new")


@pytest.mark.parametrize("mode", [Mode.BACKWARD_TRANSITIVE, Mode.FORWARD_TRANSITIVE, Mode.FULL_TRANSITIVE])
def test_transitive_modes_check_every_earlier_version_oldest_first(mode: Mode) -> None:
    assert versions_to_check(mode, ["v1", "v2", "v3"]) == [(1, "v1"), (2, "v2"), (3, "v3")]


@pytest.mark.parametrize("mode", [Mode.BACKWARD, Mode.FORWARD, Mode.FULL])
def test_non_transitive_modes_check_only_the_latest_version(mode: Mode) -> None:
    assert versions_to_check(mode, ["v1", "v2", "v3"]) == [(3, "v3")]


def test_none_checks_nothing_and_a_first_version_has_nothing_to_check() -> None:
    assert versions_to_check(Mode.NONE, ["v1"]) == []
    assert versions_to_check(Mode.BACKWARD_TRANSITIVE, []) == []


def test_mode_names_parse_case_insensitively_and_unknown_ones_are_invalid_input() -> None:
    assert parse_mode("full_transitive") is Mode.FULL_TRANSITIVE
    with pytest.raises(DataError, match="unknown compatibility mode 'SIDEWAYS'"):
        parse_mode("SIDEWAYS")
