"""RS*/ES* keys from an identity provider's JWKS URL, fetched so that callers cannot make us fetch.

The ``kid`` of a token is chosen by whoever sends it. Unchecked, every token with a new ``kid``
made the API refetch the JWKS (one at a time, each up to 30 s while the provider was slow), and
the ``kid`` (up to 8 KB) went into the log. Here:

1. a ``kid`` longer than ``MAX_KID_CHARS`` or outside a key id's characters is refused unread;
2. a ``kid`` the JWKS did not have is remembered for ``auth.unknown_kid_seconds`` and refused
   without a fetch; the JWKS is refetched for a new unknown ``kid`` at most once per that time;
3. a fetch takes at most ``auth.jwks_timeout_seconds``; after a failed one, calls are refused
   without fetching for ``FAILURE_PAUSE_SECONDS``.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable

import jwt

from subshift.api.errors import AuthenticationError

__all__ = ["FAILURE_PAUSE_SECONDS", "MAX_KID_CHARS", "JwksKeys", "checked_kid", "shown"]

MAX_KID_CHARS = 128
FAILURE_PAUSE_SECONDS = 5.0
_KID = re.compile(rf"[A-Za-z0-9._~+/=:-]{{1,{MAX_KID_CHARS}}}")
_REMEMBERED_UNKNOWN = 1024
_SHOWN_CHARS = 40


def shown(value: object) -> str:
    """``value`` for a log line: its repr cut to a few dozen characters."""
    text = repr(value)
    return text if len(text) <= _SHOWN_CHARS else f"{text[:_SHOWN_CHARS]}...({len(text)} chars)"


def checked_kid(kid: object) -> str:
    """``kid`` if it looks like a key id.

    Raises:
        AuthenticationError: no kid, or one too long or with characters no key id has.
    """
    if not isinstance(kid, str):
        raise AuthenticationError("token has no kid")
    if not _KID.fullmatch(kid):
        raise AuthenticationError(f"kid {shown(kid)} is not a key id (at most {MAX_KID_CHARS} of A-Z a-z 0-9 ._~+/=:-)")
    return kid


class JwksKeys:
    """Signing keys by ``kid`` from ``url``; ``clock`` is monotonic seconds."""

    def __init__(self, url: str, *, timeout: float, unknown_for: float,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._client = jwt.PyJWKClient(url, cache_keys=True, lifespan=300, timeout=timeout,
                                       cooldown_duration=unknown_for)
        self._unknown_for = unknown_for
        self._clock = clock
        self._unknown: dict[str, float] = {}  # kid → until when it is refused unfetched; oldest first
        self._paused_until = 0.0
        self._lock = threading.Lock()

    def key(self, kid: str) -> jwt.PyJWK:
        """The key for ``kid`` (already checked with ``checked_kid``).

        Raises:
            AuthenticationError: the JWKS has no such key, or cannot be fetched now.
        """
        now = self._clock()
        with self._lock:
            if now < self._unknown.get(kid, 0.0):
                raise AuthenticationError(f"unknown kid {shown(kid)} (remembered; not refetched)")
            if now < self._paused_until:
                raise AuthenticationError("the JWKS could not be fetched a moment ago; not retried yet")
        try:
            return self._client.get_signing_key(kid)
        except jwt.PyJWKClientConnectionError as error:
            with self._lock:
                self._paused_until = self._clock() + FAILURE_PAUSE_SECONDS
            raise AuthenticationError(f"JWKS fetch failed: {shown(str(error))}") from None
        except jwt.PyJWKClientError:
            with self._lock:
                if len(self._unknown) >= _REMEMBERED_UNKNOWN:
                    self._unknown.pop(next(iter(self._unknown)))
                self._unknown[kid] = self._clock() + self._unknown_for
            raise AuthenticationError(f"unknown kid {shown(kid)}") from None
