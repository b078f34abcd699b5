"""Waivers: the only way to let an intentional break through the gate.

``contracts/waivers.yaml`` lists entries like::

    waivers:
      - subject: user-offers-value          # an Avro subject …
        # proto: contracts/proto/subshift/migration/v1/migration.proto   # … or a Protobuf file
        # element: Migration.request_id     # optional: the Protobuf element the finding names
        # path: $.target_offer              # optional: the Avro field
        rule: READER_FIELD_MISSING_DEFAULT_VALUE
        reason: every producer was upgraded before release 3
        approver: jane.doe
        expires: 2026-12-31

A waiver suppresses the findings it matches until its expiry date. An expired waiver, or one
that matches nothing, is itself a finding: stale permission must not linger.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError, model_validator

from subshift_contracts.findings import Finding, SourceLocation
from subshift_contracts_core.errors import ContractError

__all__ = ["Waiver", "apply_waivers", "load_waivers"]


class Waiver(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    subject: str | None = None
    proto: str | None = None
    element: str | None = None
    path: str | None = None
    rule: str
    reason: str
    approver: str
    expires: dt.date
    line: int = 0

    @model_validator(mode="after")
    def _one_target(self) -> Waiver:
        if (self.subject is None) == (self.proto is None):
            raise ValueError("name exactly one of `subject` (Avro) or `proto` (a .proto file)")
        if not self.reason.strip() or not self.approver.strip():
            raise ValueError("`reason` and `approver` must not be empty")
        return self

    @property
    def target(self) -> str:
        return self.subject or self.proto or ""

    def matches(self, finding: Finding) -> bool:
        if finding.rule != self.rule or finding.subject_or_file != self.target:
            return False
        if self.path is not None and finding.path != self.path:
            return False
        # buf names elements in quotes ("Migration", "request_id"): every part must appear.
        return self.element is None or all(f'"{part}"' in finding.message for part in self.element.split("."))


@dataclass(frozen=True)
class Applied:
    findings: tuple[Finding, ...]
    waived: tuple[Finding, ...]


def load_waivers(path: Path) -> list[Waiver]:
    """The waivers in ``path``; none when the file does not exist.

    Raises:
        ContractError: the file is not YAML or an entry breaks the rules above.
    """
    if not path.exists():
        return []
    text = path.read_text(encoding="utf-8")
    try:
        raw = yaml.safe_load(text) or {}
    except yaml.YAMLError as error:
        raise ContractError(f"{path}: not valid YAML: {error}") from None
    entries = (raw.get("waivers") or []) if isinstance(raw, dict) else None
    if not isinstance(entries, list):
        raise ContractError(f"{path}: expected `waivers:` followed by a list of entries")
    lines = [i + 1 for i, line in enumerate(text.splitlines()) if re.match(r"\s*-\s", line)]
    waivers = []
    for index, entry in enumerate(entries):
        try:
            waivers.append(Waiver.model_validate({**entry, "line": lines[index] if index < len(lines) else 0}))
        except (ValidationError, TypeError) as error:
            raise ContractError(f"{path}: waiver {index + 1}: {error}") from None
    return waivers


def apply_waivers(findings: Sequence[Finding], waivers: Sequence[Waiver], *, today: dt.date, file: str) -> Applied:
    """Split ``findings`` into those that still fail the gate and those a live waiver allows.

    Expired and unused waivers are added as findings (rules ``WAIVER_EXPIRED``, ``WAIVER_UNUSED``).
    """
    live = [w for w in waivers if w.expires >= today]
    remaining, waived, used = [], [], set()
    for finding in findings:
        match = next((w for w in live if w.matches(finding)), None)
        if match is None:
            remaining.append(finding)
        else:
            waived.append(finding)
            used.add(match)
    for waiver in waivers:
        if waiver.expires < today:
            remaining.append(_problem(waiver, file, "WAIVER_EXPIRED", f"expired on {waiver.expires.isoformat()}",
                                      "Fix the finding it waived, or renew the waiver with a new approval."))
        elif waiver not in used:
            remaining.append(_problem(waiver, file, "WAIVER_UNUSED", "matches no finding",
                                      "Delete the waiver: the break it allowed is gone or was never there."))
    return Applied(findings=tuple(remaining), waived=tuple(waived))


def _problem(waiver: Waiver, file: str, rule: str, what: str, fix: str) -> Finding:
    return Finding(
        rule=rule,
        subject_or_file=file,
        path=f"{file}:{waiver.line}",
        message=f'Waiver of {waiver.rule} for "{waiver.target}" (approved by {waiver.approver}) {what}.',
        fix=fix,
        location=SourceLocation(file=file, line=waiver.line or 1),
    )
