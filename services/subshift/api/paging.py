"""Opaque page tokens: a keyset position plus the filter it belongs to.

A token is URL-safe base64 of a small JSON object. Clients must treat it as opaque; the server
refuses a token that is malformed or was issued for another filter (a common client bug).
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from subshift.errors import DataError

__all__ = ["decode_token", "encode_token", "page_size"]


def encode_token(position: dict[str, Any]) -> str:
    """The token for ``position`` (JSON-serialisable values only)."""
    raw = json.dumps(position, separators=(",", ":"), sort_keys=True).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_token(token: str, *, expect: dict[str, Any]) -> dict[str, Any]:
    """The position in ``token``; its filter entries must equal ``expect``.

    Raises:
        DataError: the token is malformed or belongs to another filter.
    """
    try:
        position = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise DataError("page_token is not a token this server issued", column="page_token",
                        rule="bad_page_token") from None
    if not isinstance(position, dict) or any(position.get(key) != value for key, value in expect.items()):
        raise DataError("page_token belongs to another query; repeat the query with the same filter",
                        column="page_token", rule="bad_page_token")
    return position


def page_size(requested: int, *, default: int, maximum: int) -> int:
    """``requested`` when set, else ``default``; capped at ``maximum``.

    Raises:
        DataError: ``requested`` is negative.
    """
    if requested < 0:
        raise DataError(f"page_size must not be negative (got {requested})", column="page_size",
                        rule="bad_page_size")
    return min(requested or default, maximum)
