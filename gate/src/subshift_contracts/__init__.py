"""The compatibility gate: Avro subjects and Protobuf files checked against their earlier versions.

The ``subshift-contracts`` distribution (gate/ in Subshift's repository): it installs and runs without
the service, so it imports nothing of ``subshift`` or ``subshift_client``. What it shares with the
service (the repository, the manifest and its subjects, the error root) is ``subshift_contracts_core``
(gate/core/), which it depends on; the service depends on that core, never on the gate. Checkers
return ``Finding`` values, waivers filter them, reports render them, and only the command line
(``cli``) turns a ``Report`` into an exit code.
"""

from __future__ import annotations

from subshift_contracts.findings import Finding, Report, SourceLocation, Unit
from subshift_contracts.modes import Mode

__all__ = ["Finding", "Mode", "Report", "SourceLocation", "Unit"]
