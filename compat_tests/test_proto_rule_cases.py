"""A few buf breaking rules, each a case folder (previous.proto, current.proto, expected) checked through buf."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from compat_tests.gate_support import GitRepo
from subshift_contracts.proto_check import buf_breaking

CASES = Path(__file__).parent / "cases" / "proto"
RULE_IDS = sorted(p.name for p in CASES.iterdir() if p.is_dir())
BUF_YAML = "version: v2\nmodules:\n  - path: proto\nlint:\n  use: [STANDARD]\nbreaking:\n  use: [FILE]\n"
CASE_FILE = "proto/subshift/drill/v1/drill.proto"


@pytest.mark.parametrize("rule", RULE_IDS)
def test_buf_reports_the_case_rule_against_the_previous_commit(rule: str, tmp_path: Path) -> None:
    folder = CASES / rule
    expected = json.loads((folder / "expected.json").read_text())
    repo = GitRepo(tmp_path)
    repo.write("buf.yaml", BUF_YAML)
    repo.write(CASE_FILE, (folder / "previous.proto").read_text())
    repo.commit("previous")
    repo.write(CASE_FILE, (folder / "current.proto").read_text())

    findings = buf_breaking(tmp_path, "HEAD")

    assert expected["rule"] == rule
    matching = [f for f in findings if f.rule == rule]
    assert matching, findings
    assert any(expected["message_contains"] in f.message for f in matching), matching
    assert all(f.subject_or_file == CASE_FILE and f.path.startswith(f"{CASE_FILE}:") for f in matching)


@pytest.mark.parametrize("rule", RULE_IDS)
def test_previous_version_is_compatible_with_itself(rule: str, tmp_path: Path) -> None:
    repo = GitRepo(tmp_path)
    repo.write("buf.yaml", BUF_YAML)
    repo.write(CASE_FILE, (CASES / rule / "previous.proto").read_text())
    repo.commit("previous")
    assert buf_breaking(tmp_path, "HEAD") == []
