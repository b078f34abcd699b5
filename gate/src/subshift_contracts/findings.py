"""Findings are values: what the gate found, where, against which version, and how to fix it.

One ``Finding`` type serves Avro subjects and Protobuf files alike; checkers return them,
waivers filter them, reports render them, and only the command line turns them into an
exit code.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

__all__ = ["Finding", "Report", "SourceLocation", "Unit"]


@dataclass(frozen=True, order=True)
class SourceLocation:
    """A place in a file, 1-based; ``line`` is None when the finding is about the whole file."""

    file: str
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        if self.line is None:
            return self.file
        return f"{self.file}:{self.line}" + (f":{self.column}" if self.column is not None else "")


@dataclass(frozen=True)
class Finding:
    """One incompatibility, lint failure or waiver problem.

    ``rule`` is a stable id (``READER_FIELD_MISSING_DEFAULT_VALUE``, ``FIELD_NO_DELETE`` …);
    ``subject_or_file`` names the Avro subject or the Protobuf file; ``path`` is the JSON path
    of the offending Avro field (``$.target_offer``) or ``file:line:col`` for Protobuf;
    ``against_version`` is the earlier version it breaks against (1 is the oldest), when any.
    """

    rule: str
    subject_or_file: str
    path: str
    message: str
    fix: str
    against_version: int | None = None
    location: SourceLocation | None = field(default=None, compare=False)

    def as_issue(self) -> dict[str, object]:
        """The finding as the ``issues`` entry of ``subshift contracts compat --format json``."""
        return {
            "rule": self.rule,
            "path": self.path,
            "message": self.message,
            "fix": self.fix,
            "against_version": self.against_version,
        }

    def as_dict(self) -> dict[str, object]:
        """Every field, for the ``check`` command's JSON report."""
        return {
            "rule": self.rule,
            "subject_or_file": self.subject_or_file,
            **{k: v for k, v in self.as_issue().items() if k != "rule"},
            "location": str(self.location) if self.location else None,
        }


@dataclass(frozen=True)
class Unit:
    """One thing the gate checked: an Avro subject, a Protobuf file, or the waivers file.

    Reports list every unit (junit makes each a test case), so a pass is visible too.
    """

    name: str
    kind: str
    file: str | None = None


@dataclass(frozen=True)
class Report:
    """The outcome of a gate run: what was checked, what failed, and what a waiver allowed."""

    units: tuple[Unit, ...] = ()
    findings: tuple[Finding, ...] = ()
    waived: tuple[Finding, ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def passed(self) -> bool:
        return not self.findings

    def findings_for(self, unit: Unit) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.subject_or_file == unit.name)

    def merged(self, other: Report) -> Report:
        return Report(
            units=_unique(self.units + other.units),
            findings=self.findings + other.findings,
            waived=self.waived + other.waived,
            notes=self.notes + other.notes,
        )


def _unique(units: Iterable[Unit]) -> tuple[Unit, ...]:
    return tuple(dict.fromkeys(units))
