"""The development commands, added to the ``subshift`` command line (the ``subshift.commands`` entry point)."""

from __future__ import annotations

import typer

from subshift_tooling.cli import bench, seed, stack

__all__ = ["register"]


def register(app: typer.Typer) -> None:
    """Add ``stack``, ``seed`` and ``bench`` to ``app``."""
    app.add_typer(stack.app, name="stack")
    seed.register(app)
    bench.register(app)
