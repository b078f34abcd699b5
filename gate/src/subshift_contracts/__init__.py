"""The compatibility gate: Avro subjects and Protobuf files checked against their earlier versions.

The ``subshift-contracts`` distribution (gate/ in Subshift's repository): it installs and runs without
the service, so it imports nothing of ``subshift`` or ``subshift_client``; the service imports it.
The repository is found (``repository``), its manifest read (``manifest``, ``subjects``,
``references``), checkers return ``Finding`` values, waivers filter them, reports render them, and
only the command line (``cli``) turns a ``Report`` into an exit code.
"""

from __future__ import annotations

from subshift_contracts.findings import Finding, Report, SourceLocation, Unit
from subshift_contracts.modes import Mode

__all__ = ["Finding", "Mode", "Report", "SourceLocation", "Unit"]
