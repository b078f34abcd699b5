"""Report formats: text names everything, JSON round-trips, JUnit parses, SARIF has the 2.1.0 structure."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

from subshift_contracts.findings import Finding, Report, SourceLocation, Unit
from subshift_contracts.reports import ReportFormat, render

AVRO_UNIT = Unit(name="user-offers-value", kind="avro subject", file="contracts/avro/u.avsc")
PROTO_UNIT = Unit(name="contracts/proto/a.proto", kind="proto file", file="contracts/proto/a.proto")
FINDING = Finding(rule="READER_FIELD_MISSING_DEFAULT_VALUE", subject_or_file="user-offers-value", path="$.channel",
                  message='Field "channel" was added without a default; readers of this version cannot read data '
                          "written with version 1.",
                  fix='Give field "channel" a default.', against_version=1,
                  location=SourceLocation(file="contracts/avro/u.avsc", line=17))
REPORT = Report(units=(PROTO_UNIT, AVRO_UNIT), findings=(FINDING,), notes=("baseline: HEAD^",))


def test_text_names_the_subject_rule_path_message_fix_and_line() -> None:
    text = render(REPORT, ReportFormat.TEXT)
    assert text.startswith("contracts check FAILED with 1 finding(s)")
    for part in ("user-offers-value", FINDING.rule, "$.channel", FINDING.message, FINDING.fix,
                 "contracts/avro/u.avsc:17", "ok    proto file  contracts/proto/a.proto"):
        assert part in text


def test_json_carries_every_finding_field() -> None:
    body = json.loads(render(REPORT, ReportFormat.JSON))
    assert body["passed"] is False
    [finding] = body["findings"]
    assert finding == {"rule": FINDING.rule, "subject_or_file": "user-offers-value", "path": "$.channel",
                       "message": FINDING.message, "fix": FINDING.fix, "against_version": 1,
                       "location": "contracts/avro/u.avsc:17"}


def test_junit_has_one_testcase_per_subject_and_proto_file_and_fails_the_broken_one() -> None:
    root = ET.fromstring(render(REPORT, ReportFormat.JUNIT))  # noqa: S314 - parses our own renderer's output
    suite = root.find("testsuite")
    assert suite is not None
    assert (suite.get("tests"), suite.get("failures")) == ("2", "1")
    cases = {case.get("name"): case for case in suite.iter("testcase")}
    assert set(cases) == {"user-offers-value", "contracts/proto/a.proto"}
    failure = cases["user-offers-value"].find("failure")
    assert failure is not None and failure.get("type") == FINDING.rule
    assert cases["contracts/proto/a.proto"].find("failure") is None


def test_junit_lists_a_waivers_file_problem_as_its_own_testcase() -> None:
    problem = Finding(rule="WAIVER_UNUSED", subject_or_file="contracts/waivers.yaml", path="contracts/waivers.yaml:2",
                      message="…", fix="…")
    root = ET.fromstring(render(Report(units=(AVRO_UNIT,), findings=(problem,)), ReportFormat.JUNIT))  # noqa: S314 - parses our own renderer's output
    assert {c.get("name") for c in root.iter("testcase")} == {"user-offers-value", "contracts/waivers.yaml"}


def test_sarif_is_2_1_0_with_rules_and_results_at_file_and_line() -> None:
    log = json.loads(render(REPORT, ReportFormat.SARIF))
    assert log["version"] == "2.1.0" and log["$schema"].endswith("sarif-2.1.0.json")
    [run] = log["runs"]
    driver = run["tool"]["driver"]
    assert driver["name"] and [rule["id"] for rule in driver["rules"]] == [FINDING.rule]
    [result] = run["results"]
    assert result["ruleId"] == FINDING.rule
    assert driver["rules"][result["ruleIndex"]]["id"] == result["ruleId"]
    assert result["level"] in {"none", "note", "warning", "error"}
    assert result["message"]["text"].startswith(FINDING.message)
    [location] = result["locations"]
    physical = location["physicalLocation"]
    assert physical["artifactLocation"]["uri"] == "contracts/avro/u.avsc"
    assert physical["region"]["startLine"] == 17


def test_a_passing_report_renders_in_every_format() -> None:
    passing = Report(units=(AVRO_UNIT,))
    assert render(passing, ReportFormat.TEXT).startswith("contracts check passed")
    assert json.loads(render(passing, ReportFormat.JSON))["passed"] is True
    suite = ET.fromstring(render(passing, ReportFormat.JUNIT)).find("testsuite")  # noqa: S314 - parses our own renderer's output
    assert suite is not None and suite.get("failures") == "0"
    assert json.loads(render(passing, ReportFormat.SARIF))["runs"][0]["results"] == []
