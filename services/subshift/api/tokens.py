"""Development tokens: HS256, signed with the configured shared secret (never in production)."""

from __future__ import annotations

import re
import time
from collections.abc import Callable

import jwt

from subshift.api.auth import Role
from subshift.config import AuthSettings
from subshift.errors import ContractError, DataError

__all__ = ["mint_dev_token", "parse_ttl"]

_TTL = re.compile(r"(\d+)([smhd])")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_ttl(text: str) -> int:
    """Seconds in a duration such as ``90s``, ``15m``, ``1h`` or ``7d``.

    Raises:
        DataError: not such a duration.
    """
    match = _TTL.fullmatch(text.strip())
    if match is None or int(match.group(1)) == 0:
        raise DataError(f"ttl {text!r} is not a duration like 90s, 15m, 1h or 7d", column="ttl", rule="bad_ttl")
    return int(match.group(1)) * _UNIT_SECONDS[match.group(2)]


def mint_dev_token(settings: AuthSettings, *, role: Role, subject: str, ttl_seconds: int,
                   clock: Callable[[], float] = time.time) -> str:
    """A token the API accepts for ``subject`` with ``role``, valid for ``ttl_seconds``.

    Raises:
        ContractError: production keys are configured, or no shared secret / HS256 is allowed.
        DataError: ``ttl_seconds`` exceeds ``auth.max_lifetime_seconds`` (the API would refuse the token).
    """
    if settings.production:
        raise ContractError("auth.production is true: development tokens cannot be minted; "
                            "get a token from your identity provider")
    if settings.hs256_secret is None or "HS256" not in settings.algorithms:
        raise ContractError("development tokens need auth.hs256_secret and HS256 in auth.algorithms")
    if ttl_seconds > settings.max_lifetime_seconds:
        raise DataError(f"ttl of {ttl_seconds}s exceeds auth.max_lifetime_seconds ({settings.max_lifetime_seconds}s); "
                        "the API would refuse the token", column="ttl", rule="too_long")
    now = int(clock())
    claims = {"sub": subject, "iss": settings.issuer, "aud": settings.audience, "iat": now, "nbf": now,
              "exp": now + ttl_seconds, settings.role_claim: [role.name.lower()]}
    return jwt.encode(claims, settings.hs256_secret.get_secret_value(), algorithm="HS256")
