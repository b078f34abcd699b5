"""Protobuf checks through buf: ``buf lint`` and ``buf breaking`` against a git ref.

buf owns the semantics (its STANDARD lint and FILE breaking rules, configured in ``buf.yaml``);
this module runs it offline, reads its ``--error-format json`` lines and turns each into a
finding whose rule is buf's own rule id.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

from subshift_contracts.findings import Finding, SourceLocation, Unit
from subshift_contracts.history import git
from subshift_contracts.proto_fixes import fix_for
from subshift_contracts_core.errors import ContractError, DataError, InfrastructureError

__all__ = ["buf_breaking", "buf_lint", "has_buf_module", "proto_files", "proto_roots"]


def proto_roots(repo: Path) -> list[str]:
    """The module paths ``buf.yaml`` declares (relative to the repository root).

    Raises:
        ContractError: ``buf.yaml`` is missing or unreadable.
    """
    try:
        config = yaml.safe_load((repo / "buf.yaml").read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as error:
        raise ContractError(f"cannot read {repo / 'buf.yaml'}: {error}") from None
    return [str(module.get("path", ".")) for module in config.get("modules", [{"path": "."}])]


def has_buf_module(repo: Path) -> bool:
    """Whether ``repo`` has Protobuf contracts for buf to check (a ``buf.yaml``).

    Raises:
        ContractError: ``.proto`` files are committed but there is no ``buf.yaml`` to say how to check them.
    """
    if (repo / "buf.yaml").is_file():
        return True
    protos = git(repo, "ls-files", "--", "*.proto").stdout.split()
    if protos:
        raise ContractError(f"{repo} has .proto files ({protos[0]}, …) but no buf.yaml; add one (`buf config init`) "
                            "naming the folder that holds them as a module")
    return False


def proto_files(repo: Path) -> list[Unit]:
    """Every ``.proto`` file of the buf modules, as units of the report."""
    files = sorted(p.relative_to(repo).as_posix() for root in proto_roots(repo) for p in (repo / root).rglob("*.proto"))
    return [Unit(name=path, kind="proto file", file=path) for path in files]


def buf_lint(repo: Path) -> list[Finding]:
    """``buf lint`` findings for the modules of ``repo``'s ``buf.yaml``.

    Raises:
        DataError: a file does not compile.
        InfrastructureError: buf is missing or failed for another reason.
    """
    return _run_buf(repo, ["lint"])


def buf_breaking(repo: Path, against: str) -> list[Finding]:
    """``buf breaking`` findings of the working tree against git ref ``against``; none when no proto existed then.

    Raises:
        DataError: a file does not compile.
        InfrastructureError: buf is missing or failed for another reason.
    """
    existed = git(repo, "ls-tree", "-r", "--name-only", against, "--", *proto_roots(repo)).stdout
    if not any(name.endswith(".proto") for name in existed.splitlines()):
        return []
    # buf clones the ref from the local .git; a depth covering all of HEAD's history reaches any ancestor.
    depth = int(git(repo, "rev-list", "--count", "HEAD").stdout.strip() or "1") + 1
    return _run_buf(repo, ["breaking", "--against", f".git#ref={against},depth={depth}"])


def _buf() -> str:
    beside_python = Path(sys.executable).parent / "buf"
    found = str(beside_python) if beside_python.exists() else shutil.which("buf")
    if found is None:
        raise InfrastructureError("buf is not installed; `pip install buf-bin` (a dependency of subshift)",
                                  retryable=False)
    return found


def _run_buf(repo: Path, args: list[str]) -> list[Finding]:
    done = subprocess.run([_buf(), *args, "--error-format", "json"], cwd=repo, capture_output=True, text=True,
                          check=False)
    entries = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    compile_errors = [e for e in entries if e.get("type") == "COMPILE"]
    if compile_errors:
        first = compile_errors[0]
        raise DataError(f"{first['path']}:{first.get('start_line')}:{first.get('start_column')}: does not compile: "
                        f"{first.get('message')}", rule="COMPILE")
    if done.returncode not in (0, 100) or (done.returncode == 100 and not entries):
        raise InfrastructureError(f"buf {args[0]} failed: {done.stderr.strip() or done.stdout.strip()}",
                                  retryable=False, code=str(done.returncode))
    return [_finding(entry, kind=args[0]) for entry in entries]


def _finding(entry: dict[str, object], *, kind: str) -> Finding:
    file = str(entry.get("path", ""))
    line = int(str(entry.get("start_line") or 1))
    column = int(str(entry.get("start_column") or 1))
    rule = str(entry.get("type", "UNKNOWN"))
    return Finding(
        rule=rule,
        subject_or_file=file,
        path=f"{file}:{line}:{column}",
        message=str(entry.get("message", "")),
        fix=fix_for(rule, kind=kind),
        location=SourceLocation(file=file, line=line, column=column),
    )
