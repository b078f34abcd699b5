"""The gate's distributions import nothing of the service, so they install and run without it; the core
(``subshift_contracts_core``, which the service's image carries) imports nothing of the gate either."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

_GATE = Path(__file__).resolve().parents[3] / "gate"
_SOURCES = sorted((_GATE / "src" / "subshift_contracts").rglob("*.py"))
_CORE_SOURCES = sorted((_GATE / "core" / "src" / "subshift_contracts_core").rglob("*.py"))
_SERVICE = ("subshift", "subshift_client", "sqlalchemy", "psycopg2", "grpc", "confluent_kafka", "alembic")
# The gate's own dependencies, which the service's image does not install.
_GATE_ONLY = ("subshift_contracts", "avro", "httpx")


def _imported(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    names |= {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module}
    return {name.split(".")[0] for name in names}


@pytest.mark.parametrize("path", _SOURCES + _CORE_SOURCES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_a_gate_module_imports_nothing_of_the_service(path: Path) -> None:
    assert sorted(_imported(path) & set(_SERVICE)) == []


@pytest.mark.parametrize("path", _CORE_SOURCES, ids=lambda p: p.name)
def test_a_core_module_imports_nothing_of_the_gate(path: Path) -> None:
    assert sorted(_imported(path) & set(_GATE_ONLY)) == []
