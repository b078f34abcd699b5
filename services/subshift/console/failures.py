"""Exit codes, and failed calls rendered as one short sentence plus the row-level details.

Exit codes of the ``migrate`` commands:

- 0: the call succeeded; a migration that was waited for ended ``succeeded`` or
  ``succeeded_with_errors`` (its table shows the errors).
- 1: the call failed, or the migration ended ``rejected``, ``failed`` or ``cancelled``.
- 2: usage: a bad flag or argument, or one the client refuses (a token in clear text to another machine,
  a file that cannot be read).
- 3: unavailable: the API could not be reached (after retries) or timed out.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager

import grpc
import typer
from rich.console import Console

from subshift.console.tables import violations_table
from subshift_client.api_errors import ApiError
from subshift_client.client import is_terminal
from subshift_client.errors import ClientError
from subshift_client.migration_v1 import MigrationState

__all__ = ["EXIT_CODES_HELP", "api_failures", "exit_code_for_state", "token_expiry"]

EXIT_CODES_HELP = "Exit codes: 0 ok, 1 failed or rejected, 2 usage, 3 API unavailable."

_UNAVAILABLE = (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED)
_SUCCESS = (MigrationState.MIGRATION_STATE_SUCCEEDED, MigrationState.MIGRATION_STATE_SUCCEEDED_WITH_ERRORS)
_HINTS = {
    grpc.StatusCode.UNAUTHENTICATED: (
        "Pass --token or set SUBSHIFT_TOKEN; for development, mint one with `subshift token --role operator`."
    ),
    grpc.StatusCode.PERMISSION_DENIED: "Your token's role may not do this; viewers read, operators change.",
    grpc.StatusCode.UNAVAILABLE: "Is the API running (`subshift serve api`) at --addr / SUBSHIFT_API_ADDR?",
    grpc.StatusCode.DEADLINE_EXCEEDED: "The API did not answer in time; try again or raise --timeout.",
    grpc.StatusCode.NOT_FOUND: "`subshift migrate list` shows the migrations there are.",
    grpc.StatusCode.ALREADY_EXISTS: "Different content needs a different --idempotency-key.",
}


def exit_code_for_state(state: MigrationState.ValueType) -> int:
    """0 unless the migration ended without completing (rejected, failed, cancelled)."""
    return 0 if not is_terminal(state) or state in _SUCCESS else 1


def _sentence(error: ApiError) -> str:
    if error.code == grpc.StatusCode.UNAVAILABLE and "failed to connect" in error.details:
        # gRPC's text lists every address tried; its last clause is the reason that matters.
        return f"cannot reach the API ({error.details.rsplit(':', 1)[-1].strip()})"
    return error.details.rstrip(".")


def token_expiry(token: str | None) -> datetime.datetime | None:
    """When ``token`` (a JWT) expires, read from its ``exp`` claim without verifying it; None if it says not.

    Only to explain a refusal: the server says "missing or invalid credentials" whatever the reason
    (it tells a caller nothing about a token), but the holder may read their own token.
    """
    try:
        payload = (token or "").split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        return datetime.datetime.fromtimestamp(float(claims["exp"]), datetime.UTC)
    except (IndexError, KeyError, TypeError, ValueError, binascii.Error, OverflowError):
        return None


def _expired_sentence(token: str | None) -> str | None:
    expiry = token_expiry(token)
    now = datetime.datetime.now(datetime.UTC)
    if expiry is None or expiry > now:
        return None
    return f"your token expired at {expiry:%Y-%m-%d %H:%M:%S} UTC; mint a new one (`subshift token --role …`)"


def _render(console: Console, error: ApiError, token: str | None = None) -> None:
    expired = _expired_sentence(token) if error.code == grpc.StatusCode.UNAUTHENTICATED else None
    if expired is not None:
        console.print(f"[bold red]error:[/] {expired} [dim](unauthenticated)[/]", highlight=False)
        return
    console.print(f"[bold red]error:[/] {_sentence(error)} [dim]({error.code.name.lower()})[/]", highlight=False)
    # Row details help with an upload; a bad request field (row 0) is already said in the sentence.
    if any(violation.row for violation in error.violations):
        console.print(violations_table(error.violations, error.violations_total))
    hint = _HINTS.get(error.code)
    if hint:
        console.print(f"[dim]{hint}[/]", highlight=False)


@contextmanager
def api_failures(console: Console, token: str | None = None) -> Iterator[None]:
    """Turn an ``ApiError`` raised inside into its rendering on ``console`` and an exit code; ``token`` (default
    ``SUBSHIFT_TOKEN``) says whether a refusal is an expired token."""
    try:
        yield
    except ApiError as error:
        _render(console, error, token if token is not None else os.environ.get("SUBSHIFT_TOKEN"))
        raise typer.Exit(3 if error.code in _UNAVAILABLE else 1) from None
    except ClientError as error:  # refused before any call: the flags or the file are what to change
        console.print(f"[bold red]error:[/] {error}", highlight=False)
        raise typer.Exit(2) from None
