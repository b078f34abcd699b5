"""`subshift token`: mint a development token for the API."""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Annotated

import typer

from subshift.config import load_settings
from subshift.console.usage import usage_error

__all__ = ["register"]


_ZERO = re.compile(r"0+\s*[smhd]?")


class RoleName(StrEnum):
    VIEWER = "viewer"
    OPERATOR = "operator"
    ADMIN = "admin"


def token(
    role: Annotated[RoleName, typer.Option("--role", help="Role the token grants: viewer, operator or admin.")],
    subject: Annotated[str, typer.Option(
        "--subject", help="Token subject (recorded as created_by and in audits).")] = "dev",
    ttl: Annotated[str, typer.Option(
        "--ttl", help="Lifetime: 90s, 15m, 1h; at most auth.max_lifetime_seconds (24h by default).")] = "1h",
) -> None:
    """Print a development token (HS256, the configured shared secret); refused when auth.production is true.

    Example: export SUBSHIFT_TOKEN=$(subshift token --role operator --subject alice)
    """
    from subshift.api.auth import Role
    from subshift.api.tokens import mint_dev_token, parse_ttl
    from subshift.errors import DataError

    if _ZERO.fullmatch(ttl.strip()):
        usage_error(f"--ttl {ttl}: a token must live longer than that; give a duration like 90s, 15m or 1h")
    try:
        seconds = parse_ttl(ttl)
    except DataError:
        usage_error(f"--ttl {ttl!r} is not a duration: give a number and a unit, like 90s, 15m or 1h")
    settings = load_settings()
    typer.echo(mint_dev_token(settings.auth, role=Role[role.name], subject=subject, ttl_seconds=seconds))


def register(app: typer.Typer) -> None:
    """Attach the `token` command to the root app."""
    app.command("token")(token)
