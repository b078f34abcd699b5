"""`subshift dlq`: (commands are added by the issue that owns them)."""

from __future__ import annotations

import typer

__all__ = ["app"]

app = typer.Typer(help="dlq commands.", no_args_is_help=True)
