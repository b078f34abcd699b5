"""``python -m subshift_contracts``: the same as the ``subshift-contracts`` command."""

from __future__ import annotations

from subshift_contracts.cli import run

run()
