"""SARIF 2.1.0 for code-scanning tools: each finding a result at the file and line it is about."""

from __future__ import annotations

from typing import Any

from subshift_contracts.findings import Finding, Report

__all__ = ["SARIF_SCHEMA", "to_sarif"]

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_TOOL = "subshift-contracts"


def to_sarif(report: Report) -> dict[str, Any]:
    """A SARIF log with one run; rules are the distinct rule ids, each result points at its location."""
    rule_ids = sorted({f.rule for f in report.findings})
    fixes: dict[str, set[str]] = {}
    for finding in report.findings:
        fixes.setdefault(finding.rule, set()).add(finding.fix)
    rules = [
        {
            "id": rule,
            "name": "".join(part.title() for part in rule.split("_")),
            "shortDescription": {"text": rule.replace("_", " ").lower()},
            "help": {"text": next(iter(fixes[rule])) if len(fixes[rule]) == 1 else "Each result says how to fix it."},
            "defaultConfiguration": {"level": "error"},
        }
        for rule in rule_ids
    ]
    results = [_result(f, rule_ids.index(f.rule)) for f in report.findings]
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {"driver": {"name": _TOOL, "rules": rules}},
                "results": results,
                "columnKind": "unicodeCodePoints",
            }
        ],
    }


def _result(finding: Finding, rule_index: int) -> dict[str, Any]:
    location = finding.location
    uri = location.file if location else finding.subject_or_file
    region: dict[str, int] = {"startLine": (location.line if location and location.line else 1)}
    if location and location.column:
        region["startColumn"] = location.column
    return {
        "ruleId": finding.rule,
        "ruleIndex": rule_index,
        "level": "error",
        "message": {"text": f"{finding.message} Fix: {finding.fix}"},
        "locations": [{"physicalLocation": {"artifactLocation": {"uri": uri}, "region": region}}],
        "partialFingerprints": {"subshiftFinding/v1": f"{finding.rule}:{finding.subject_or_file}:{finding.path}"},
    }
