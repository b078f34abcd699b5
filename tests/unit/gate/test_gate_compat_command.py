"""`subshift contracts compat`: exit codes 0/1/2 and the documented JSON shape."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

V1 = {"type": "record", "name": "E", "fields": [{"name": "id", "type": "string"}]}
V2 = {**V1, "fields": [*V1["fields"], {"name": "note", "type": ["null", "string"], "default": None}]}
BROKEN = {**V1, "fields": [*V1["fields"], {"name": "target_offer", "type": "string"}]}


def write(folder: Path, name: str, value: Any) -> str:
    path = folder / name
    path.write_text(value if isinstance(value, str) else json.dumps(value, indent=2))
    return str(path)


def squeeze(text: str) -> str:
    """Text without whitespace: the error line may be wrapped at the terminal width."""
    return "".join(text.split())


def compat(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "subshift", "contracts", "compat", *args],
                          capture_output=True, text=True, check=False)


def test_compatible_exits_0_with_json(tmp_path: Path) -> None:
    done = compat("--mode", "BACKWARD_TRANSITIVE", "--format", "json",
                  write(tmp_path, "new.avsc", V2), write(tmp_path, "v1.avsc", V1))
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {"compatible": True, "mode": "BACKWARD_TRANSITIVE", "issues": []}


def test_incompatible_exits_1_and_names_rule_path_version_and_fix(tmp_path: Path) -> None:
    done = compat("--mode", "BACKWARD_TRANSITIVE", "--format", "json", write(tmp_path, "new.avsc", BROKEN),
                  write(tmp_path, "v1.avsc", V1), write(tmp_path, "v2.avsc", V2))
    assert done.returncode == 1, done.stderr
    body = json.loads(done.stdout)
    assert body["compatible"] is False
    [issue] = body["issues"]
    assert set(issue) == {"rule", "path", "message", "fix", "against_version"}
    assert (issue["rule"], issue["path"], issue["against_version"]) == (
        "READER_FIELD_MISSING_DEFAULT_VALUE", "$.target_offer", 1)
    assert issue["message"].startswith('Field "target_offer" was added without a default;')


def test_the_readable_report_is_the_default(tmp_path: Path) -> None:
    done = compat("--mode", "BACKWARD", write(tmp_path, "new.avsc", BROKEN), write(tmp_path, "v1.avsc", V1))
    assert done.returncode == 1
    assert "is not BACKWARD compatible" in done.stdout and "fix: Give field" in done.stdout


def test_a_parse_error_exits_2_with_its_location(tmp_path: Path) -> None:
    done = compat("--mode", "BACKWARD", write(tmp_path, "new.avsc", '{"type": "record",\n  "name": }'),
                  write(tmp_path, "v1.avsc", V1))
    assert done.returncode == 2
    assert squeeze("new.avsc:2:11: not valid JSON: Expecting value") in squeeze(done.stderr)


def test_an_unknown_mode_or_missing_file_exits_2(tmp_path: Path) -> None:
    v1 = write(tmp_path, "v1.avsc", V1)
    assert compat("--mode", "SIDEWAYS", v1, v1).returncode == 2
    missing = compat("--mode", "FULL", str(tmp_path / "absent.avsc"), v1)
    assert missing.returncode == 2 and squeeze("cannot read") in squeeze(missing.stderr)
