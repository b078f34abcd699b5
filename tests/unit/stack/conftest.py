"""Stack unit tests check defaults: settings a developer's shell exports must not leak into them."""

from __future__ import annotations

import os

import pytest


@pytest.fixture(autouse=True)
def _no_subshift_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith("SUBSHIFT_"):
            monkeypatch.delenv(name)
