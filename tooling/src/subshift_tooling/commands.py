"""The development commands, added to the ``subshift`` command line.

``register`` is the ``subshift.commands`` entry point (top-level commands), ``register_contracts`` the
``subshift.contracts.commands`` one (commands of ``subshift contracts``).
"""

from __future__ import annotations

import typer

from subshift_tooling.cli import bench, contracts, seed, stack

__all__ = ["register", "register_contracts"]


def register(app: typer.Typer) -> None:
    """Add ``stack``, ``seed`` and ``bench`` to ``app``."""
    app.add_typer(stack.app, name="stack")
    seed.register(app)
    bench.register(app)


def register_contracts(app: typer.Typer) -> None:
    """Add ``generate``, ``fixtures`` and ``release`` to ``subshift contracts`` (``app``)."""
    contracts.register(app)
