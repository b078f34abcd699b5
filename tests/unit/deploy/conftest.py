"""Fixtures of the deployment-artefact tests."""

from __future__ import annotations

from typing import Any

import pytest
from deploy_files import load_kustomization, render_kustomization


@pytest.fixture(scope="session")
def kustomization() -> dict[str, Any]:
    return load_kustomization()


@pytest.fixture(scope="session")
def rendered(kustomization: dict[str, Any]) -> list[dict[str, Any]]:
    return render_kustomization(kustomization)
