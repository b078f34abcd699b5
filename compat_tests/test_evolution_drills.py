"""Evolution drills: change a copy of the contracts the way people do, commit, and run the gate.

Each drill starts from today's contracts committed as the baseline, commits one change on
top (as a pull request would), and runs ``subshift contracts check`` logic against HEAD's first
parent. Safe evolutions pass; breaking ones fail with the field named in the message.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from compat_tests.gate_support import GitRepo
from subshift.contracts_manifest import load_manifest
from subshift_contracts.check import CheckOptions, run_check

MIGRATION_PROTO = "contracts/proto/subshift/migration/v1/migration.proto"


def _avro_file(repo: GitRepo) -> str:
    manifest = load_manifest(repo.root / "contracts")
    return manifest.schema_path(manifest.avro_topics[0]).relative_to(repo.root).as_posix()


def _edit_avro(edit: Callable[[list[dict[str, object]]], None]) -> Callable[[GitRepo], None]:
    def apply(repo: GitRepo) -> None:
        schema = repo.read_json(_avro_file(repo))
        edit(schema["fields"])
        repo.write_json(_avro_file(repo), schema)

    return apply


def _edit_proto(pattern: str, replacement: str) -> Callable[[GitRepo], None]:
    def apply(repo: GitRepo) -> None:
        path = repo.root / MIGRATION_PROTO
        text, count = re.subn(pattern, replacement, path.read_text(encoding="utf-8"), count=1, flags=re.M)
        assert count == 1, f"drill pattern {pattern!r} no longer matches {MIGRATION_PROTO}"
        path.write_text(text, encoding="utf-8")

    return apply


def _field(fields: list[dict[str, object]], name: str) -> dict[str, object]:
    return next(f for f in fields if f["name"] == name)


def _rename(fields: list[dict[str, object]], old: str, new: str) -> None:
    _field(fields, old)["name"] = new


def _set_mode(mode: str) -> Callable[[GitRepo], None]:
    def apply(repo: GitRepo) -> None:
        path = repo.root / "contracts" / "subjects.yaml"
        path.write_text(path.read_text().replace("compatibility: BACKWARD_TRANSITIVE", f"compatibility: {mode}"))

    return apply


@dataclass(frozen=True)
class Drill:
    id: str
    changes: tuple[Callable[[GitRepo], None], ...]
    rule: str | None  # None: the gate must pass
    named: str = ""  # the field the message must name


DRILLS = [
    Drill("avro_optional_field_with_default_passes",
          (_edit_avro(lambda f: f.append({"name": "channel", "type": ["null", "string"], "default": None,
                                          "doc": "Where the request came from."})),), None),
    Drill("proto_new_field_passes",
          (_edit_proto(r"^(  google.protobuf.Timestamp items_purge_time = 14;\n)",
                       r"\1  // Who approved the migration.\n  string approved_by = 15;\n"),), None),
    Drill("avro_field_added_without_default_fails",
          (_edit_avro(lambda f: f.append({"name": "channel", "type": "string"})),),
          "READER_FIELD_MISSING_DEFAULT_VALUE", "channel"),
    Drill("avro_field_renamed_fails",
          (_edit_avro(lambda f: _rename(f, "target_offer", "new_offer")),),
          "READER_FIELD_MISSING_DEFAULT_VALUE", "new_offer"),
    Drill("avro_field_type_changed_fails",
          (_edit_avro(lambda f: _field(f, "row_number").update(type=["null", "string"])),),
          "MISSING_UNION_BRANCH", "row_number"),
    Drill("avro_required_field_type_changed_fails",
          (_edit_avro(lambda f: _field(f, "migration_id").update(type="int")),),
          "TYPE_MISMATCH", "migration_id"),
    # Removing a field is BACKWARD compatible in Avro (a reader skips what it does not know):
    # it breaks only where old readers must read new data, i.e. FORWARD or FULL modes.
    Drill("avro_field_removed_fails_under_full_transitive",
          (_set_mode("FULL_TRANSITIVE"), _edit_avro(lambda f: f.remove(_field(f, "target_offer")))),
          "READER_FIELD_MISSING_DEFAULT_VALUE", "target_offer"),
    Drill("proto_field_removed_fails",
          (_edit_proto(r"^  // Free text given by the creator\.\n  string description = 3;\n", ""),),
          "FIELD_NO_DELETE", "description"),
    Drill("proto_field_renamed_fails",
          (_edit_proto(r"^  string description = 3;", "  string summary = 3;"),), "FIELD_SAME_NAME", "description"),
    Drill("proto_field_type_changed_fails",
          (_edit_proto(r"^  int32 max_rows_per_second = 10;", "  int64 max_rows_per_second = 10;"),),
          "FIELD_SAME_TYPE", "max_rows_per_second"),
    Drill("proto_field_renumbered_fails",
          (_edit_proto(r"^  string description = 3;", "  string description = 30;"),),
          "FIELD_NO_DELETE", "description"),
]


@pytest.mark.parametrize("drill", DRILLS, ids=[d.id for d in DRILLS])
def test_drill(drill: Drill, tmp_path: Path) -> None:
    repo = GitRepo.with_contracts(tmp_path)
    for change in drill.changes:
        change(repo)
    repo.commit(drill.id)

    report = run_check(load_manifest(tmp_path / "contracts"), CheckOptions(repo=tmp_path))

    if drill.rule is None:
        assert report.passed, [f.message for f in report.findings]
        return
    matching = [f for f in report.findings if f.rule == drill.rule]
    assert matching, [f"{f.rule}: {f.message}" for f in report.findings]
    assert any(f'"{drill.named}"' in f.message for f in matching), [f.message for f in matching]


def test_a_failing_drill_exits_1_through_the_command_line_with_a_json_report(tmp_path: Path) -> None:
    repo = GitRepo.with_contracts(tmp_path)
    _edit_avro(lambda f: f.append({"name": "channel", "type": "string"}))(repo)
    repo.commit("add a required field")

    done = subprocess.run(
        [sys.executable, "-m", "subshift", "contracts", "check", "--repo", str(tmp_path), "--format", "json"],
        capture_output=True, text=True, check=False,
    )

    assert done.returncode == 1, done.stderr
    report = json.loads(done.stdout)
    assert report["passed"] is False
    [finding] = report["findings"]
    assert (finding["rule"], finding["subject_or_file"], finding["path"]) == (
        "READER_FIELD_MISSING_DEFAULT_VALUE", "user-offers-value", "$.channel")
