"""The service's packages import only downward: each layer imports the layers below it and nothing above.

The layers, from the bottom (docs/architecture.md#layers says why each sits where it does). The pipeline's
stages, ``api`` → ``outbox`` → ``apply``, share one layer: they hand work to each other through PostgreSQL
and Kafka, never through imports, so none may import another; what they share sits below them.
Imports are read with ``ast`` (every import statement, also those inside functions and under
``TYPE_CHECKING``), so the check needs no import of the code it checks.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SERVICE = REPO / "services" / "subshift"
CLIENT = REPO / "clients" / "python" / "src" / "subshift_client"  # installs alone

# Bottom first. A package may import packages of lower layers only (and itself).
LAYERS: tuple[frozenset[str], ...] = (
    frozenset({"errors", "contracts_manifest", "runtime"}),  # no subshift imports
    frozenset({"config", "faults"}),  # settings; backoff and the transient/permanent classification
    frozenset({"db"}),  # engine, connections, models, schema revisions
    frozenset({"observability"}),  # logs, metrics, traces (reads the database's clock for lag)
    frozenset({"messaging"}),  # topic names and identities, topic and schema admin, `contracts publish`
    frozenset({"lifecycle"}),  # the only writer of a migration's state
    frozenset({"deadletter"}),  # letters, produced by apply, read and replayed by the CLI
    frozenset({"api", "outbox", "apply"}),  # the stages, in the order of the flow
    frozenset({"console", "supervise"}),  # around the stages
    frozenset({"cli"}),  # every command
    frozenset({"__main__"}),  # `python -m subshift`
)
LAYER_OF = {package: index for index, layer in enumerate(LAYERS) for package in layer}


def _package_of(path: Path) -> str:
    return path.relative_to(SERVICE).parts[0].removesuffix(".py")


def _imported(tree: ast.AST, top: str) -> Iterator[tuple[int, str]]:
    """(line, first part below ``top``) of every absolute import of ``top.<part>…`` in ``tree``."""
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            parts = node.module.split(".")
            if parts[0] != top:
                continue
            if len(parts) > 1:
                yield node.lineno, parts[1]
            else:  # `from subshift import x`: x is a module, or a name of the root package
                for alias in node.names:
                    if (SERVICE / alias.name).is_dir() or (SERVICE / f"{alias.name}.py").is_file():
                        yield node.lineno, alias.name
        elif isinstance(node, ast.Import):
            for alias in node.names:
                parts = alias.name.split(".")
                if parts[0] == top and len(parts) > 1:
                    yield node.lineno, parts[1]


def _top_names(node: ast.Import | ast.ImportFrom) -> set[str]:
    if isinstance(node, ast.ImportFrom):
        return {node.module.split(".")[0]} if node.module and node.level == 0 else set()
    return {alias.name.split(".")[0] for alias in node.names}


def _service_modules() -> list[Path]:
    return sorted(path for path in SERVICE.rglob("*.py") if path.parent != SERVICE or path.name != "__init__.py")


def test_every_package_of_the_service_has_a_layer() -> None:
    packages = {_package_of(path) for path in _service_modules()}
    assert packages - LAYER_OF.keys() == set(), "give the new package a layer in LAYERS (and in the docs)"
    assert LAYER_OF.keys() - packages == set(), "a package in LAYERS no longer exists"


@pytest.mark.parametrize("path", _service_modules(), ids=lambda path: str(path.relative_to(SERVICE)))
def test_a_module_imports_only_its_own_package_and_lower_layers(path: Path) -> None:
    package = _package_of(path)
    upward = [f"line {line}: subshift.{imported} ({package} may not import it)"
              for line, imported in _imported(ast.parse(path.read_text(), str(path)), "subshift")
              if imported != package and LAYER_OF[imported] >= LAYER_OF[package]]
    assert upward == []


def test_the_service_never_imports_its_development_tooling() -> None:
    # subshift-tooling (tooling/) is not installed in production; its commands join through an entry point.
    offending = [f"{path.relative_to(SERVICE)}:{node.lineno}"
                 for path in _service_modules()
                 for node in ast.walk(ast.parse(path.read_text(), str(path)))
                 if isinstance(node, ast.Import | ast.ImportFrom) and "subshift_tooling" in _top_names(node)]
    assert offending == []


def test_the_service_imports_the_contracts_core_never_the_gate() -> None:
    # The image installs subshift-contracts-core (gate/core) without the gate (subshift-contracts, with avro and
    # buf): the gate's commands join `subshift contracts` through an entry point where it is installed.
    offending = [f"{path.relative_to(SERVICE)}:{node.lineno}"
                 for path in _service_modules()
                 for node in ast.walk(ast.parse(path.read_text(), str(path)))
                 if isinstance(node, ast.Import | ast.ImportFrom) and "subshift_contracts" in _top_names(node)]
    assert offending == []


def test_the_client_library_imports_nothing_of_the_service() -> None:
    # The client installs alone (its own wheel): an import of the service would fail on a user's machine.
    offending = [f"{path.relative_to(CLIENT)}:{node.lineno}"
                 for path in sorted(CLIENT.rglob("*.py"))
                 for node in ast.walk(ast.parse(path.read_text(), str(path)))
                 if isinstance(node, ast.Import | ast.ImportFrom) and "subshift" in _top_names(node)]
    assert offending == []
