"""Render a gate ``Report`` as readable text, JSON, JUnit XML or SARIF 2.1.0."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Callable
from enum import StrEnum

from subshift_contracts.findings import Finding, Report, Unit
from subshift_contracts.sarif import to_sarif

__all__ = ["ReportFormat", "render"]


class ReportFormat(StrEnum):
    TEXT = "text"
    JSON = "json"
    JUNIT = "junit"
    SARIF = "sarif"


def render(report: Report, fmt: ReportFormat) -> str:
    """The report in format ``fmt``, ending with a newline."""
    renderers: dict[ReportFormat, Callable[[Report], str]] = {
        ReportFormat.TEXT: _text,
        ReportFormat.JSON: _json,
        ReportFormat.JUNIT: _junit,
        ReportFormat.SARIF: lambda r: json.dumps(to_sarif(r), indent=2),
    }
    return renderers[fmt](report).rstrip("\n") + "\n"


def _units(report: Report) -> list[Unit]:
    """Every checked unit, plus any a finding names that no checker listed (e.g. the waivers file)."""
    units = list(report.units)
    known = {unit.name for unit in units}
    for finding in report.findings:
        if finding.subject_or_file not in known:
            known.add(finding.subject_or_file)
            units.append(Unit(name=finding.subject_or_file, kind="contracts"))
    return units


def _text(report: Report) -> str:
    verdict = "passed" if report.passed else f"FAILED with {len(report.findings)} finding(s)"
    lines = [f"contracts check {verdict}; {len(report.units)} checked, {len(report.waived)} waived."]
    lines += [f"note: {note}" for note in report.notes]
    for unit in _units(report):
        found = report.findings_for(unit)
        lines.append(f"{'FAIL' if found else 'ok  '}  {unit.kind}  {unit.name}")
        lines += [_finding_text(finding) for finding in found]
    lines += [f"waived  {f.subject_or_file}  {f.rule}  {f.path}" for f in report.waived]
    return "\n".join(lines)


def _finding_text(finding: Finding) -> str:
    where = f"  at {finding.location}" if finding.location and str(finding.location) != finding.path else ""
    return f"      {finding.rule}  {finding.path}{where}\n        {finding.message}\n        fix: {finding.fix}"


def _json(report: Report) -> str:
    return json.dumps(
        {
            "passed": report.passed,
            "checked": [{"name": u.name, "kind": u.kind} for u in report.units],
            "findings": [f.as_dict() for f in report.findings],
            "waived": [f.as_dict() for f in report.waived],
            "notes": list(report.notes),
        },
        indent=2,
    )


def _junit(report: Report) -> str:
    units = _units(report)
    suite = ET.Element(
        "testsuite",
        name="subshift contracts check",
        tests=str(len(units)),
        failures=str(sum(1 for unit in units if report.findings_for(unit))),
        errors="0",
        skipped="0",
    )
    for unit in units:
        case = ET.SubElement(suite, "testcase", classname=unit.kind.replace(" ", "_"), name=unit.name)
        found = report.findings_for(unit)
        if found:
            failure = ET.SubElement(case, "failure", type=found[0].rule, message=found[0].message)
            failure.text = "\n\n".join(_finding_text(f).strip() for f in found)
    root = ET.Element("testsuites")
    root.append(suite)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode")
