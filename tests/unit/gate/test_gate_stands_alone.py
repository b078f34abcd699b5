"""The gate's distribution imports nothing of the service, so it installs and runs without it."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

_SOURCES = sorted((Path(__file__).resolve().parents[3] / "gate" / "src" / "subshift_contracts").rglob("*.py"))
_SERVICE = ("subshift", "subshift_client", "sqlalchemy", "psycopg2", "grpc", "confluent_kafka", "alembic")


def _imported(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    names |= {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module}
    return {name.split(".")[0] for name in names}


@pytest.mark.parametrize("path", _SOURCES, ids=lambda p: p.name)
def test_a_gate_module_imports_nothing_of_the_service(path: Path) -> None:
    assert sorted(_imported(path) & set(_SERVICE)) == []
