"""Waivers: a matching live waiver suppresses its finding; expired and unused ones fail the gate."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from subshift.errors import ContractError
from subshift_contracts.findings import Finding
from subshift_contracts.waivers import Waiver, apply_waivers, load_waivers

TODAY = dt.date(2026, 11, 25)
AVRO = Finding(rule="READER_FIELD_MISSING_DEFAULT_VALUE", subject_or_file="user-offers-value", path="$.channel",
               message='Field "channel" was added without a default; …', fix="…", against_version=1)
PROTO = Finding(rule="FIELD_NO_DELETE", subject_or_file="contracts/proto/a.proto", path="contracts/proto/a.proto:8:1",
                message='Previously present field "4" with name "request_id" on message "Migration" was deleted.',
                fix="…")


def waiver(**overrides: object) -> Waiver:
    fields: dict[str, object] = {"subject": "user-offers-value", "rule": "READER_FIELD_MISSING_DEFAULT_VALUE",
                                 "reason": "all producers upgraded first", "approver": "jane", "expires": TODAY}
    return Waiver.model_validate({**fields, **overrides})


def test_a_matching_waiver_suppresses_its_finding_until_its_expiry_day_inclusive() -> None:
    applied = apply_waivers([AVRO], [waiver()], today=TODAY, file="w.yaml")
    assert (applied.findings, applied.waived) == ((), (AVRO,))


def test_an_expired_waiver_does_not_suppress_and_is_itself_a_finding() -> None:
    applied = apply_waivers([AVRO], [waiver(expires=TODAY - dt.timedelta(days=1))], today=TODAY, file="w.yaml")
    assert [f.rule for f in applied.findings] == ["READER_FIELD_MISSING_DEFAULT_VALUE", "WAIVER_EXPIRED"]
    assert "expired on 2026-11-24" in applied.findings[1].message


def test_an_unused_waiver_is_a_finding() -> None:
    applied = apply_waivers([], [waiver()], today=TODAY, file="w.yaml")
    [problem] = applied.findings
    assert problem.rule == "WAIVER_UNUSED"
    assert problem.subject_or_file == "w.yaml"


def test_a_waiver_for_another_rule_subject_or_path_does_not_match() -> None:
    for other in (waiver(rule="TYPE_MISMATCH"), waiver(subject="other-value"), waiver(path="$.other")):
        applied = apply_waivers([AVRO], [other], today=TODAY, file="w.yaml")
        assert {f.rule for f in applied.findings} == {AVRO.rule, "WAIVER_UNUSED"}


def test_a_proto_waiver_matches_by_file_rule_and_element() -> None:
    matching = waiver(subject=None, proto="contracts/proto/a.proto", rule="FIELD_NO_DELETE",
                      element="Migration.request_id")
    assert apply_waivers([PROTO], [matching], today=TODAY, file="w.yaml").waived == (PROTO,)
    other = matching.model_copy(update={"element": "Migration.state"})
    assert apply_waivers([PROTO], [other], today=TODAY, file="w.yaml").waived == ()


def test_a_waiver_names_exactly_one_target_and_a_reason() -> None:
    with pytest.raises(ValueError, match="exactly one"):
        waiver(proto="contracts/proto/a.proto")
    with pytest.raises(ValueError, match="must not be empty"):
        waiver(reason=" ")


def test_the_waivers_file_loads_with_line_numbers_and_rejects_unknown_keys(tmp_path: Path) -> None:
    path = tmp_path / "waivers.yaml"
    path.write_text("waivers:\n  - subject: user-offers-value\n    rule: TYPE_MISMATCH\n    reason: r\n"
                    "    approver: a\n    expires: 2027-01-31\n")
    [loaded] = load_waivers(path)
    assert (loaded.line, loaded.expires) == (2, dt.date(2027, 1, 31))
    path.write_text("waivers:\n  - subject: s\n    rule: R\n    reason: r\n    approver: a\n    expires: 2027-01-31\n"
                    "    approved: yes\n")
    with pytest.raises(ContractError, match="waiver 1"):
        load_waivers(path)


def test_no_waivers_file_means_no_waivers(tmp_path: Path) -> None:
    assert load_waivers(tmp_path / "waivers.yaml") == []
