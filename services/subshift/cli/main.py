"""The ``subshift`` command line: one Typer app, one sub-app per concern.

Exit codes: 0 ok, 1 failed or rejected, 2 usage or invalid input, 3 a dependency is unavailable.
"""

from __future__ import annotations

import sys
from importlib.metadata import entry_points

import typer
from rich.console import Console
from rich.markup import escape

from subshift.cli import contracts, db, dlq, migrate, serve, token, topics
from subshift_contracts_core.errors import SubshiftError, exit_code_for

__all__ = ["app", "run"]

app = typer.Typer(
    name="subshift",
    help="Move subscribers between offers in bulk, safely, and govern the contracts that carry those changes.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.add_typer(contracts.app, name="contracts")
app.add_typer(topics.app, name="topics")
app.add_typer(db.app, name="db")
app.add_typer(serve.app, name="serve")
app.add_typer(migrate.app, name="migrate")
app.add_typer(dlq.app, name="dlq")
token.register(app)
# Development commands (`stack`, `seed`, `bench`) come from the subshift-tooling distribution when it is
# installed (scripts/bootstrap installs it; the image does not): the product's wheel does not carry them.
# (`contracts` gathers its own joined commands, the gate's and the tooling's: subshift/cli/contracts.py.)
for _entry in entry_points(group="subshift.commands"):
    _entry.load()(app)

def run() -> None:
    """Console entry point: expected failures become one readable line and an exit code."""
    try:
        app()
    except SubshiftError as error:
        # soft_wrap keeps file:line:col messages on one line; escape keeps [brackets] in messages literal.
        Console(stderr=True, soft_wrap=True).print(f"[bold red]error:[/] {escape(str(error))}", highlight=False)
        sys.exit(exit_code_for(error))
    except KeyboardInterrupt:
        Console(stderr=True).print("interrupted")
        sys.exit(130)
