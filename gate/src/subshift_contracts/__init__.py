"""The compatibility gate: Avro subjects and Protobuf files checked against their earlier versions.

Checkers return ``Finding`` values; waivers filter them; reports render them; only the
command line turns a ``Report`` into an exit code.
"""

from __future__ import annotations

from subshift_contracts.findings import Finding, Report, SourceLocation, Unit
from subshift_contracts.modes import Mode

__all__ = ["Finding", "Mode", "Report", "SourceLocation", "Unit"]
