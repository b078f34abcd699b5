"""Each Avro rule id has a case folder (previous, current, expected finding); each folder is one test.

The rule ids are the ``avro`` package's incompatibility kinds, so a kind added upstream
without a case here fails ``test_every_rule_id_has_a_case``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from avro.compatibility import SchemaIncompatibilityType

from subshift_contracts.avro_check import AvroVersion, check_avro, parse_schema
from subshift_contracts.avro_resolution import rule_id
from subshift_contracts.modes import Mode

CASES = Path(__file__).parent / "cases" / "avro"
RULE_IDS = sorted(p.name for p in CASES.iterdir() if p.is_dir())


def _load(case: str) -> tuple[Any, Any, dict[str, Any]]:
    folder = CASES / case
    previous = parse_schema((folder / "previous.avsc").read_text(), source="previous.avsc")
    current_text = (folder / "current.avsc").read_text()
    current = parse_schema(current_text, source="current.avsc")
    return previous, current, json.loads((folder / "expected.json").read_text())


def test_every_rule_id_has_a_case() -> None:
    assert sorted(rule_id(kind) for kind in SchemaIncompatibilityType) == RULE_IDS


@pytest.mark.parametrize("rule", RULE_IDS)
def test_case_yields_its_rule_with_path_message_and_fix(rule: str) -> None:
    previous, current, expected = _load(rule)
    findings = check_avro(current, [AvroVersion(previous)], Mode(expected["mode"]), subject="user-offers-value")
    want = expected["finding"]
    assert rule == want["rule"]
    matching = [f for f in findings if f.rule == rule]
    assert len(matching) == 1, findings
    finding = matching[0]
    assert finding.path == want["path"]
    assert finding.against_version == want["against_version"]
    assert finding.message == want["message"]
    assert want["fix_mentions"] in finding.fix


@pytest.mark.parametrize("rule", RULE_IDS)
def test_case_is_compatible_exactly_in_its_listed_modes(rule: str) -> None:
    previous, current, expected = _load(rule)
    compatible = {m.value for m in Mode if not check_avro(current, [AvroVersion(previous)], m, subject="s")}
    assert compatible == set(expected["compatible_modes"])
