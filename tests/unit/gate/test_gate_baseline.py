"""Against a release baseline only breaks new since that release are reported."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path
from typing import Any

from compat_tests.gate_support import REPO_ROOT, GitRepo
from subshift.contracts_manifest import load_manifest
from subshift_contracts.check import CheckOptions, run_check

TODAY = dt.date(2026, 11, 25)


def _schema_file(repo: GitRepo) -> str:
    manifest = load_manifest(repo.root / "contracts")
    return manifest.schema_path(manifest.avro_topics[0]).relative_to(repo.root).as_posix()


def _add_field(repo: GitRepo, field: dict[str, Any]) -> None:
    schema = repo.read_json(_schema_file(repo))
    schema["fields"].append(field)
    repo.write_json(_schema_file(repo), schema)


def _released_with_a_waived_break(tmp_path: Path) -> GitRepo:
    """Release contracts-v2 added `channel` without a default: a break accepted (and waived) then."""
    repo = GitRepo.with_contracts(tmp_path)
    _add_field(repo, {"name": "channel", "type": "string"})
    repo.commit("release 2 adds channel")
    repo.tag("contracts-v2")
    return repo


def _check(repo: GitRepo) -> list[tuple[str, str]]:
    report = run_check(load_manifest(repo.root / "contracts"), CheckOptions(repo=repo.root, today=TODAY))
    return [(f.rule, f.path) for f in report.findings]


def test_a_break_the_release_already_had_is_not_reported_again(tmp_path: Path) -> None:
    repo = _released_with_a_waived_break(tmp_path)
    _add_field(repo, {"name": "note", "type": ["null", "string"], "default": None})
    repo.commit("compatible change after the release")
    assert _check(repo) == []


def test_a_break_new_since_the_release_is_reported(tmp_path: Path) -> None:
    repo = _released_with_a_waived_break(tmp_path)
    _add_field(repo, {"name": "region", "type": "string"})
    repo.commit("new break after the release")
    assert _check(repo) == [("READER_FIELD_MISSING_DEFAULT_VALUE", "$.region")]


def test_without_a_release_tag_the_parent_commit_is_the_baseline(tmp_path: Path) -> None:
    repo = GitRepo.with_contracts(tmp_path)
    _add_field(repo, {"name": "channel", "type": "string"})
    repo.commit("break")
    assert _check(repo) == [("READER_FIELD_MISSING_DEFAULT_VALUE", "$.channel")]


def test_a_waiver_lets_the_break_through_and_the_report_says_so(tmp_path: Path) -> None:
    repo = GitRepo.with_contracts(tmp_path)
    _add_field(repo, {"name": "channel", "type": "string"})
    repo.write("contracts/waivers.yaml", "waivers:\n  - subject: user-offers-value\n"
               "    rule: READER_FIELD_MISSING_DEFAULT_VALUE\n    path: $.channel\n"
               "    reason: every producer sets channel before consumers upgrade\n    approver: jane\n"
               "    expires: 2026-12-31\n")
    repo.commit("waived break")
    report = run_check(load_manifest(repo.root / "contracts"), CheckOptions(repo=repo.root, today=TODAY))
    assert report.passed
    assert [f.path for f in report.waived] == ["$.channel"]
    assert "contracts/waivers.yaml" in {u.name for u in report.units}
    later = run_check(load_manifest(repo.root / "contracts"),
                      CheckOptions(repo=repo.root, today=dt.date(2027, 1, 1)))
    assert sorted(f.rule for f in later.findings) == ["READER_FIELD_MISSING_DEFAULT_VALUE", "WAIVER_EXPIRED"]


def test_contracts_added_in_the_checked_commit_are_their_first_version(tmp_path: Path) -> None:
    repo = GitRepo(tmp_path / "repo")
    repo.write("README.md", "before the contracts\n")
    repo.commit("start")
    shutil.copytree(REPO_ROOT / "contracts", repo.root / "contracts")
    shutil.copy(REPO_ROOT / "buf.yaml", repo.root / "buf.yaml")
    repo.commit("add the contracts")

    report = run_check(load_manifest(repo.root / "contracts"), CheckOptions(repo=repo.root, today=TODAY))

    assert report.passed, report.findings
    assert any("user-offers-value: no earlier version in git" in note for note in report.notes)
    assert [u.kind for u in report.units].count("avro subject") == 1
