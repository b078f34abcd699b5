"""Row rules: each broken rule is a value naming row, column and rule."""

from __future__ import annotations

import pytest

from subshift.api.csv_reader import Header
from subshift.api.validation import OfferCatalog, RowChecker, RowViolation, ViolationLog
from subshift.config import IngestSettings

CATALOG = OfferCatalog(known=frozenset({"basic", "premium", "retired"}), active=frozenset({"basic", "premium"}))
HEADER = Header(("current_offer", "user_id", "target_offer"), user_id=1, current_offer=0, target_offer=2)


def check(current: str, user: str, target: str, *extra: str) -> list[tuple[str, str]] | None:
    checker = RowChecker(HEADER, CATALOG, IngestSettings().user_id_pattern)
    found = checker.check(7, [current, user, target, *extra])
    return None if found is None else [(violation.column, violation.rule) for violation in found]


@pytest.mark.parametrize(("row", "expected"), [
    pytest.param(("basic", "u-1.a:b@c_d", "premium"), None, id="valid"),
    pytest.param(("retired", "u1", "basic"), None, id="moving_off_an_inactive_offer_is_fine"),
    pytest.param(("basic", "u1", "retired"), [("target_offer", "inactive_offer")], id="inactive_target"),
    pytest.param(("gold", "u1", "basic"), [("current_offer", "unknown_offer")], id="unknown_current"),
    pytest.param(("basic", "u1", "gold"), [("target_offer", "unknown_offer")], id="unknown_target"),
    pytest.param(("basic", "u1", "basic"), [("target_offer", "same_offer")], id="same_offer"),
    pytest.param(("basic", "", "premium"), [("user_id", "empty")], id="empty_user"),
    pytest.param(("basic", " u1", "premium"), [("user_id", "whitespace")], id="whitespace_user"),
    pytest.param(("basic ", "u1", "premium"), [("current_offer", "whitespace")], id="whitespace_offer"),
    pytest.param(("basic", "u 1", "premium"), [("user_id", "user_id_format")], id="space_inside_user"),
    pytest.param(("basic", "-u1", "premium"), [("user_id", "user_id_format")], id="user_must_start_alnum"),
    pytest.param(("basic", "=cmd()", "premium"), [("user_id", "user_id_format")], id="formula_user"),
    pytest.param(("basic", "u" * 65, "premium"), [("user_id", "user_id_format")], id="user_too_long"),
    pytest.param(("", "", ""), [("user_id", "empty"), ("current_offer", "empty"), ("target_offer", "empty")],
                 id="all_empty"),
    pytest.param(("gold", "bad user", "retired"),
                 [("user_id", "user_id_format"), ("current_offer", "unknown_offer"),
                  ("target_offer", "inactive_offer")], id="every_rule_reported"),
])
def test_row_rules(row: tuple[str, str, str], expected: list[tuple[str, str]] | None) -> None:
    assert check(*row) == expected


def test_wrong_field_count_is_one_violation_for_the_row() -> None:
    assert check("basic", "u1", "premium", "extra") == [("", "field_count")]


def test_messages_cut_long_values() -> None:
    checker = RowChecker(HEADER, CATALOG, IngestSettings().user_id_pattern)
    found = checker.check(3, ["basic", "x" * 4000, "premium"])
    assert found is not None and len(found[0].message) < 200


def test_violation_log_keeps_the_first_in_row_order_and_counts_all() -> None:
    log = ViolationLog(cap=3)
    for row in (2, 5, 9):
        log.add_row([RowViolation(row, "user_id", "user_id_format", "bad")])
    log.add_row([RowViolation(11, "user_id", "user_id_format", "bad")])
    log.merge([RowViolation(3, "user_id", "duplicate_user", "dup"), RowViolation(4, "user_id", "duplicate_user",
                                                                                   "dup")], total=7, rows=7)
    assert [violation.row for violation in log.first] == [2, 3, 4]
    assert (log.total, log.rows) == (11, 11)


def test_a_user_id_pattern_that_does_not_compile_stops_start_up(monkeypatch: pytest.MonkeyPatch) -> None:
    from subshift.config import load_settings
    from subshift.errors import ContractError

    monkeypatch.setenv("SUBSHIFT_INGEST_USER_ID_PATTERN", "[a-")
    with pytest.raises(ContractError, match="user_id_pattern is not a regular expression"):
        load_settings()
