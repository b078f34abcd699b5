"""Protobuf → Python messages, gRPC stubs and their ``.pyi`` types (protoc + mypy-protobuf).

protoc writes modules that import each other as ``subshift.migration.v1…``; that top-level
name is the server's package, so every such import is rewritten to live under
``subshift_client._generated``. Only import lines are touched: the serialized descriptors
embedded in ``*_pb2.py`` also spell the proto package and must stay byte-exact.
"""

from __future__ import annotations

import importlib.util
import re
import subprocess
import tempfile
from pathlib import Path, PurePosixPath

from google.protobuf import descriptor_pb2

from subshift.errors import ContractError
from subshift_tooling.codegen.render import Output, header

__all__ = ["GENERATED_PACKAGE", "generate_protobuf"]

GENERATED_PACKAGE = "subshift_client._generated"


def generate_protobuf(proto_root: Path, toolchain: Path) -> tuple[Output, descriptor_pb2.FileDescriptorSet]:
    """Compile every ``.proto`` under ``proto_root`` with the protoc of ``toolchain`` (the Python of the
    generators' venv); return the files and their descriptors.

    Raises:
        ContractError: there are no proto files, or protoc rejects them (its message is kept).
    """
    protos = sorted(p.relative_to(proto_root).as_posix() for p in proto_root.rglob("*.proto"))
    if not protos:
        raise ContractError(f"no .proto files under {proto_root}")
    roots = sorted({PurePosixPath(p).parts[0] for p in protos})
    with tempfile.TemporaryDirectory(prefix="subshift-protoc-") as scratch:
        out = Path(scratch) / "out"
        out.mkdir()
        descriptor_set = Path(scratch) / "descriptors.binpb"
        _run_protoc(toolchain, proto_root, out, descriptor_set, protos)
        files: Output = {}
        for path in sorted(out.rglob("*")):
            if path.is_file():
                relative = PurePosixPath(path.relative_to(out).as_posix())
                source = _source_proto(relative)
                text = _rewrite_imports(path.read_text(encoding="utf-8"), roots)
                files[relative] = header(f"contracts/proto/{source}") + text
        fds = descriptor_pb2.FileDescriptorSet.FromString(descriptor_set.read_bytes())
    for directory in {parent for path in files for parent in path.parents if parent != PurePosixPath(".")}:
        files[directory / "__init__.py"] = header("contracts/proto (package marker)")
    return files, fds


def _run_protoc(toolchain: Path, proto_root: Path, out: Path, descriptor_set: Path, protos: list[str]) -> None:
    # Not the running interpreter's: the generators live in a venv of their own, because the protoc whose code
    # every supported protobuf runtime loads is older than the protobuf the service runs on.
    bin_dir = toolchain.parent
    command = [
        str(toolchain), "-c", _PROTOC,
        f"-I{proto_root}", f"-I{_googleapis_root()}",
        f"--python_out={out}", f"--grpc_python_out={out}",
        f"--plugin=protoc-gen-mypy={bin_dir / 'protoc-gen-mypy'}", f"--mypy_out={out}",
        f"--plugin=protoc-gen-mypy_grpc={bin_dir / 'protoc-gen-mypy_grpc'}", f"--mypy_grpc_out={out}",
        f"--descriptor_set_out={descriptor_set}", "--include_source_info",
        *protos,
    ]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise ContractError(f"protoc rejected the contracts:\n{done.stderr.strip()}")


# grpc_tools.protoc with its bundled well-known types (google/protobuf/*.proto) on the include path.
_PROTOC = """
import sys
from importlib import resources
from grpc_tools import protoc
well_known = resources.files("grpc_tools") / "_proto"
sys.exit(protoc.main(["protoc", f"-I{well_known}", *sys.argv[1:]]))
"""


def _googleapis_root() -> Path:
    # googleapis-common-protos ships google/rpc/*.proto beside its modules: the
    # well-known Google types resolve from the installed wheel, never the network.
    spec = importlib.util.find_spec("google.rpc.status_pb2")
    if spec is None or spec.origin is None:
        raise ContractError("googleapis-common-protos is not installed; it provides google/rpc/*.proto")
    return Path(spec.origin).resolve().parents[2]


def _source_proto(generated: PurePosixPath) -> str:
    stem = re.sub(r"_pb2(_grpc)?$", "", generated.stem)
    return (generated.parent / f"{stem}.proto").as_posix()


def _rewrite_imports(text: str, roots: list[str]) -> str:
    names = "|".join(re.escape(root) for root in roots)
    pattern = re.compile(rf"^(from|import) ({names})([. ])", re.MULTILINE)
    rewritten = pattern.sub(rf"\1 {GENERATED_PACKAGE}.\2\3", text)
    # mypy-protobuf's stubs write `import subshift.migration.v1.x_pb2` and then spell types in full
    # (`subshift.migration.v1.x_pb2.Message`): after the rewrite, bind that first name to the generated package.
    for root in roots:
        plain = re.compile(rf"^import {re.escape(GENERATED_PACKAGE)}\.{re.escape(root)}\..*$", re.MULTILINE)
        last = max(plain.finditer(rewritten), key=lambda match: match.end(), default=None)
        if last is not None:
            binding = f"\nfrom {GENERATED_PACKAGE} import {root}"
            rewritten = rewritten[: last.end()] + binding + rewritten[last.end():]
    return rewritten
