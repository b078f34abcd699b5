"""The client package stands alone: no import of the server, a small declared public surface."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import subshift_client
from subshift_client import migration_v1, topics

CLIENT_ROOT = Path(subshift_client.__file__).parent


def _imported_modules(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_no_client_module_imports_the_server_package() -> None:
    offenders = [
        f"{path.relative_to(CLIENT_ROOT)}: {module}"
        for path in sorted(CLIENT_ROOT.rglob("*.py*"))
        if path.suffix in {".py", ".pyi"}
        for module in _imported_modules(path)
        if module == "subshift" or module.startswith("subshift.")
    ]
    assert offenders == []


def test_required_role_of_reads_the_option_from_the_contract() -> None:
    create = "/subshift.migration.v1.MigrationService/CreateMigration"
    get = "subshift.migration.v1.MigrationService.GetMigration"
    assert migration_v1.required_role_of(create) == migration_v1.Role.ROLE_OPERATOR
    assert migration_v1.required_role_of(get) == migration_v1.Role.ROLE_VIEWER


def test_required_role_of_an_unknown_method_says_so() -> None:
    with pytest.raises(migration_v1.UnknownMethodError, match="DropEverything"):
        migration_v1.required_role_of("/subshift.migration.v1.MigrationService/DropEverything")


def test_every_service_method_declares_a_required_role() -> None:
    service = migration_v1.MIGRATION_SERVICE
    missing = [m.name for m in service.methods
               if migration_v1.required_role_of(m.full_name) == migration_v1.Role.ROLE_UNSPECIFIED]
    assert missing == []


def test_topics_expose_the_manifest_facts() -> None:
    user_offers = topics.topic(topics.USER_OFFERS.name)
    assert user_offers.value_subject == f"{user_offers.name}-value"
    assert user_offers.dead_letter_topic == topics.USER_OFFERS_DLT.name
    assert topics.USER_OFFERS_DLT.partitions == user_offers.partitions
