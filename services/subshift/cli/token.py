"""`subshift token`: mint a development token for the API."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer

from subshift.config import load_settings

__all__ = ["register"]


class RoleName(StrEnum):
    VIEWER = "viewer"
    OPERATOR = "operator"
    ADMIN = "admin"


def token(
    role: Annotated[RoleName, typer.Option("--role", help="Role the token grants: viewer, operator or admin.")],
    subject: Annotated[str, typer.Option(
        "--subject", help="Token subject (recorded as created_by and in audits).")] = "dev",
    ttl: Annotated[str, typer.Option("--ttl", help="Lifetime: 90s, 15m, 1h, 7d.")] = "1h",
) -> None:
    """Print a development token (HS256, the configured shared secret); refused when auth.production is true.

    Example: export SUBSHIFT_TOKEN=$(subshift token --role operator --subject alice)
    """
    from subshift.ingest.auth import Role
    from subshift.ingest.tokens import mint_dev_token, parse_ttl

    settings = load_settings()
    typer.echo(mint_dev_token(settings.auth, role=Role[role.name], subject=subject, ttl_seconds=parse_ttl(ttl)))


def register(app: typer.Typer) -> None:
    """Attach the `token` command to the root app."""
    app.command("token")(token)
