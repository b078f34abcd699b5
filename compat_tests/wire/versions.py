"""The golden wire fixtures of every released contract version (``compat_tests/fixtures/<version>/``)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["FIXTURES", "FixtureVersion", "fixture_versions"]

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


@dataclass(frozen=True)
class FixtureVersion:
    """One release's fixture folder and its index."""

    name: str
    folder: Path
    index: dict[str, Any]


def fixture_versions() -> list[FixtureVersion]:
    """Every released version's fixtures, oldest first."""
    folders = sorted((p for p in FIXTURES.iterdir() if (p / "index.json").is_file()),
                     key=lambda p: int(p.name.lstrip("v")))
    return [FixtureVersion(p.name, p, json.loads((p / "index.json").read_text(encoding="utf-8"))) for p in folders]
