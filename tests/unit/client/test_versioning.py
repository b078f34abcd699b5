"""The client's version moves with its generated code (the contracts and the generator), and every version has
its CHANGELOG entry."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import subshift_client
from subshift_client._version import GENERATED_FINGERPRINT

_GENERATED = Path(subshift_client.__file__).parent / "_generated"
_CHANGELOG = Path(__file__).resolve().parents[3] / "clients/python/CHANGELOG.md"


def _fingerprint(root: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.suffix in {".py", ".pyi"} and "__pycache__" not in p.parts):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def test_changed_generated_code_comes_with_a_new_version() -> None:
    assert _fingerprint(_GENERATED) == GENERATED_FINGERPRINT, (
        f"the generated client changed since {subshift_client.__version__}: raise the version in "
        "clients/python/src/subshift_client/_version.py (minor for a compatible contract change, major for a "
        "breaking one, see CHANGELOG.md), add its CHANGELOG entry, and set GENERATED_FINGERPRINT to "
        f"{_fingerprint(_GENERATED)!r}"
    )


def test_the_current_version_has_a_changelog_entry() -> None:
    headings = re.findall(r"^## (\d+\.\d+\.\d+)\b", _CHANGELOG.read_text(encoding="utf-8"), re.MULTILINE)
    assert headings[0] == subshift_client.__version__
