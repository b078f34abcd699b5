"""``subshift contracts compat``: one new Avro schema file against earlier ones, under one mode."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from subshift_contracts.avro_check import AvroVersion, check_avro, parse_schema
from subshift_contracts.findings import Finding
from subshift_contracts.modes import Mode
from subshift_contracts_core.errors import DataError

__all__ = ["CompatResult", "compat_files", "render_compat"]


@dataclass(frozen=True)
class CompatResult:
    mode: Mode
    new_file: str
    findings: tuple[Finding, ...]

    @property
    def compatible(self) -> bool:
        return not self.findings


def compat_files(new: Path, previous: Sequence[Path], mode: Mode) -> CompatResult:
    """Check schema file ``new`` against ``previous`` (oldest first) under ``mode``.

    Raises:
        DataError: a file cannot be read or is not a valid Avro schema (with its location).
    """
    new_text = _read(new)
    new_schema = parse_schema(new_text, source=str(new))
    earlier = [AvroVersion(parse_schema(_read(p), source=str(p)), origin=str(p)) for p in previous]
    findings = check_avro(new_schema, earlier, mode, subject=str(new), new_text=new_text, new_file=str(new))
    return CompatResult(mode=mode, new_file=str(new), findings=tuple(findings))


def render_compat(result: CompatResult, *, as_json: bool) -> str:
    """The result as the documented JSON object, or as a readable report."""
    if as_json:
        return json.dumps(
            {
                "compatible": result.compatible,
                "mode": result.mode.value,
                "issues": [finding.as_issue() for finding in result.findings],
            },
            indent=2,
        )
    if result.compatible:
        return f"{result.new_file} is {result.mode.value} compatible."
    lines = [f"{result.new_file} is not {result.mode.value} compatible ({len(result.findings)} issue(s)):"]
    for finding in result.findings:
        where = f" (line {finding.location.line})" if finding.location and finding.location.line else ""
        lines += [f"- {finding.rule} at {finding.path}{where}", f"  {finding.message}", f"  fix: {finding.fix}"]
    return "\n".join(lines)


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except OSError as error:
        raise DataError(f"cannot read {path}: {error.strerror}", rule="file") from None
