"""Bearer-token verification (JWT) and the caller it identifies.

Checks, in order, each failure an ``AuthenticationError`` whose message is for server logs:

1. size (``auth.max_token_bytes``) and shape, before any parsing cost;
2. ``alg`` in the ``auth.algorithms`` allow-list (``none`` can never be listed usefully);
3. the key: HS* use the shared development secret; RS*/ES* use the JWKS key with the token's
   ``kid`` (bounded, and fetched without letting callers drive fetches: see ``jwks``), whose own
   algorithm must equal ``alg`` (no HS256-with-a-public-key confusion);
4. signature, ``iss`` and ``aud`` (PyJWT), with ``exp``, ``iss``, ``aud`` and ``sub`` required;
5. ``exp``, ``nbf`` and ``iat`` against an injectable clock with ``auth.leeway_seconds`` (at most
   5 minutes); an ``exp`` further ahead than ``auth.max_lifetime_seconds`` is refused, so a stolen
   token cannot have been minted to live for ever.

Attacker-chosen values (``alg``, ``kid``) appear in messages cut short (``jwks.shown``).

A token that passed is remembered for ``VERIFIED_FOR_SECONDS`` (clients send the same token on
every call): within that time only step 5 runs again, so an expired token is refused on time and
a key removed from the JWKS stops working within that time.

Roles come from the ``auth.role_claim`` claim (a string or a list); the highest known one counts.
"""

from __future__ import annotations

import json
import math
import threading
import time
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from enum import IntEnum
from pathlib import Path
from typing import Any

import jwt

from subshift.api.errors import AuthenticationError
from subshift.api.jwks import JwksKeys, checked_kid, shown
from subshift.config import AuthSettings
from subshift.errors import ContractError

__all__ = ["CURRENT_CALLER", "VERIFIED_FOR_SECONDS", "Caller", "Role", "TokenVerifier"]


class Role(IntEnum):
    """Ordered roles; values equal ``subshift.migration.v1.Role`` numbers."""

    VIEWER = 1
    OPERATOR = 2
    ADMIN = 3


@dataclass(frozen=True, slots=True)
class Caller:
    """Who is calling: the token's subject and highest role (None: no known role)."""

    subject: str
    role: Role | None


CURRENT_CALLER: ContextVar[Caller] = ContextVar("subshift_caller")

_ROLE_NAMES = {role.name.lower(): role for role in Role}
VERIFIED_FOR_SECONDS = 60.0
_REMEMBERED_TOKENS = 1024
_REQUIRED = ["exp", "iss", "aud", "sub"]


def _is_number(value: object) -> bool:
    # JSON as Python reads it allows NaN and Infinity, which every comparison would let through.
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


class TokenVerifier:
    """Verifies bearer tokens against ``AuthSettings``; ``clock`` returns Unix seconds."""

    def __init__(self, settings: AuthSettings, *, clock: Callable[[], float] = time.time) -> None:
        self._settings = settings
        self._clock = clock
        self._algorithms = frozenset(settings.algorithms)
        if "none" in {alg.lower() for alg in self._algorithms}:
            raise ContractError("auth.algorithms must not allow 'none'")
        self._jwks = jwt.PyJWKSet.from_dict(json.loads(Path(settings.jwks_file).read_text())) if (
            settings.jwks_file) else None
        self._jwks_client = JwksKeys(settings.jwks_url, timeout=settings.jwks_timeout_seconds,
                                     unknown_for=settings.unknown_kid_seconds) if settings.jwks_url else None
        # token → (caller, its claims, when the verification is to be repeated); oldest first
        self._verified: dict[str, tuple[Caller, dict[str, Any], float]] = {}
        self._remembering = threading.Lock()  # calls run on many threads; only a miss writes

    def verify(self, token: str) -> Caller:
        """The caller ``token`` proves.

        Raises:
            AuthenticationError: the token is missing, malformed, wrongly signed, expired or not
                meant for this service (the message says which, for logs only).
        """
        if not token:
            raise AuthenticationError("no bearer token")
        if len(token) > self._settings.max_token_bytes:
            raise AuthenticationError(f"token of {len(token)} bytes exceeds {self._settings.max_token_bytes}")
        remembered = self._verified.get(token)
        if remembered is not None and self._clock() < remembered[2]:
            self._check_times(remembered[1])
            return remembered[0]
        caller, claims = self._verify_signed(token)
        with self._remembering:
            if len(self._verified) >= _REMEMBERED_TOKENS:
                self._verified.pop(next(iter(self._verified)), None)
            self._verified[token] = (caller, claims, self._clock() + VERIFIED_FOR_SECONDS)
        return caller

    def _verify_signed(self, token: str) -> tuple[Caller, dict[str, Any]]:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.InvalidTokenError as error:
            raise AuthenticationError(f"malformed token: {error}") from None
        alg = header.get("alg")
        if not isinstance(alg, str) or alg not in self._algorithms:
            raise AuthenticationError(f"algorithm {shown(alg)} is not allowed")
        key = self._key(alg, header.get("kid"))
        try:
            claims: dict[str, Any] = jwt.decode(
                token, key, algorithms=[alg], audience=self._settings.audience, issuer=self._settings.issuer,
                options={"require": _REQUIRED, "verify_exp": False, "verify_nbf": False, "verify_iat": False},
            )
        except jwt.InvalidTokenError as error:
            raise AuthenticationError(f"token rejected: {type(error).__name__}: {error}") from None
        self._check_times(claims)
        subject = claims["sub"]
        if not isinstance(subject, str) or not subject:
            raise AuthenticationError("sub must be a non-empty string")
        return Caller(subject=subject, role=self._role(claims.get(self._settings.role_claim))), claims

    def _key(self, alg: str, kid: object) -> Any:
        if alg.startswith("HS"):
            if self._settings.hs256_secret is None:
                raise AuthenticationError("HMAC token but no shared secret is configured")
            return self._settings.hs256_secret.get_secret_value()
        kid = checked_kid(kid)
        try:
            if self._jwks is not None:
                jwk = self._jwks[kid]
            elif self._jwks_client is not None:
                jwk = self._jwks_client.key(kid)
            else:
                raise AuthenticationError(f"{alg} token but no JWKS is configured")
        except KeyError:
            raise AuthenticationError(f"unknown kid {shown(kid)}") from None
        if jwk.algorithm_name != alg:
            raise AuthenticationError(f"key {shown(kid)} is for {jwk.algorithm_name}, token says {alg}")
        return jwk.key

    def _check_times(self, claims: dict[str, Any]) -> None:
        now = self._clock()
        leeway = self._settings.leeway_seconds
        exp, nbf, iat = claims.get("exp"), claims.get("nbf"), claims.get("iat")
        if not _is_number(exp):
            raise AuthenticationError("exp must be a number")
        if now > exp + leeway:  # type: ignore[operator]
            raise AuthenticationError("token expired")
        if exp > now + self._settings.max_lifetime_seconds + leeway:  # type: ignore[operator]
            raise AuthenticationError(f"exp is more than auth.max_lifetime_seconds "
                                      f"({self._settings.max_lifetime_seconds}) ahead")
        if nbf is not None and (not _is_number(nbf) or now + leeway < nbf):
            raise AuthenticationError("token not valid yet (nbf)")
        if iat is not None and (not _is_number(iat) or iat > now + leeway):
            raise AuthenticationError("token issued in the future (iat)")

    @staticmethod
    def _role(claim: object) -> Role | None:
        names = [claim] if isinstance(claim, str) else claim if isinstance(claim, list) else []
        roles = [_ROLE_NAMES[name] for name in names if isinstance(name, str) and name in _ROLE_NAMES]
        return max(roles, default=None)
