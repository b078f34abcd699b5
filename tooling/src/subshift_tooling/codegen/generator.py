"""Build the client's generated code in memory, then write it or compare it with what is committed.

Steps of ``generate``:
1. check the generator versions installed in the toolchain venv against ``codegen/versions.toml``;
2. build every file in memory (Protobuf modules and facades, Avro records, topics, clients);
3. write them into a fresh sibling folder and swap it in for ``_generated/`` (wiped, rebuilt).

``stale_files`` runs steps 1 and 2 only and compares the result with the folder on disk.
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from subshift.contracts_manifest import load_manifest
from subshift_tooling.codegen.avro_records import render_records
from subshift_tooling.codegen.golang import stale_go_files, write_go
from subshift_tooling.codegen.output_tree import stale_in, write_tree
from subshift_tooling.codegen.pins import check_pins
from subshift_tooling.codegen.proto_facade import render_facades
from subshift_tooling.codegen.protobuf import generate_protobuf
from subshift_tooling.codegen.render import Output, header
from subshift_tooling.codegen.topics import render_clients, render_topics
from subshift_tooling.codegen.typescript import TypeScriptPaths, generate_typescript, stale_typescript

__all__ = ["CodegenPaths", "GenerationReport", "build", "generate", "stale_files"]

def _not_generated(relative: PurePosixPath) -> bool:
    return "__pycache__" in relative.parts or relative.suffix == ".pyc"


@dataclass(frozen=True, kw_only=True)
class CodegenPaths:
    """Where the generator reads and writes; ``for_repo`` gives the checked-in layout."""

    contracts: Path
    pins: Path
    output: Path
    # The Python of the generators' own venv (protoc and its plugins; see requirements/codegen.in).
    toolchain: Path

    @classmethod
    def for_repo(cls, root: Path) -> CodegenPaths:
        """The checked-in layout of ``root``, with the toolchain scripts/bootstrap makes beside the running
        venv (``.venv/codegen``)."""
        return cls(
            contracts=root / "contracts",
            pins=root / "codegen" / "versions.toml",
            output=root / "clients" / "python" / "src" / "subshift_client" / "_generated",
            toolchain=Path(sys.prefix) / "codegen" / "bin" / "python",
        )


@dataclass(frozen=True)
class GenerationReport:
    files: tuple[PurePosixPath, ...]
    seconds: float


def build(paths: CodegenPaths) -> Output:
    """Every generated file, as ``{path relative to _generated/: text}``.

    Raises:
        ContractError: a pin is not installed, or a contract or the manifest cannot be compiled.
    """
    check_pins(paths.pins, paths.toolchain)
    manifest = load_manifest(paths.contracts)
    files, descriptors = generate_protobuf(paths.contracts / "proto", paths.toolchain)
    files.update(render_facades(descriptors))
    files.update(render_records(manifest))
    files.update(render_topics(manifest))
    files.update(render_clients(manifest))
    files[PurePosixPath("__init__.py")] = header("contracts/ (the generated part of subshift_client; private)")
    return dict(sorted(files.items()))


def generate(paths: CodegenPaths) -> GenerationReport:
    """Rebuild ``paths.output`` from the contracts.

    Raises:
        ContractError: see ``build``.
    """
    started = time.perf_counter()
    files = build(paths)
    write_tree(files, paths.output)
    go_files = write_go(paths.contracts, paths.pins)  # clients/go/gen/, built and swapped in the same way
    generate_typescript(TypeScriptPaths(root=paths.contracts.parent))  # clients/typescript, when it exists
    return GenerationReport(files=(*files, *go_files), seconds=time.perf_counter() - started)


def stale_files(paths: CodegenPaths) -> list[str]:
    """Files under ``paths.output`` that differ from a fresh build, each with why; empty when current.

    Raises:
        ContractError: see ``build``.
    """
    problems = stale_in(build(paths), paths.output, ignored=_not_generated)
    return (problems + stale_go_files(paths.contracts, paths.pins)
            + stale_typescript(TypeScriptPaths(root=paths.contracts.parent)))
