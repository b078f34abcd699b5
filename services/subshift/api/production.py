"""Production mode fails closed: the API refuses to start on settings an attacker could exploit.

With ``auth.production`` true the API does not start when an HS* algorithm is allowed with a
secret anyone could know or guess (the development default, a placeholder, fewer than 32 bytes),
or when it would serve without TLS (bearer tokens in clear) unless ``api.allow_plaintext`` says
a mesh terminates TLS in front of it.

Development mode accepts the public development secret only while the API listens on loopback:
a development API reachable from other machines (a container's ``0.0.0.0``) needs a strong secret
of its own, as production would.
"""

from __future__ import annotations

from subshift.config import Settings
from subshift.config.auth import DEVELOPMENT_SECRET
from subshift.errors import ContractError

__all__ = ["MIN_SECRET_BYTES", "refuse_unsafe_production", "weak_secret"]

_LOOPBACK = ("127.", "localhost", "::1", "[::1]")

MIN_SECRET_BYTES = 32
_PLACEHOLDER_WORDS = ("change", "placeholder", "example", "replace", "dummy", "development", "default", "secret",
                      "password", "todo", "xxx")


def weak_secret(secret: str) -> str | None:
    """Why ``secret`` is unfit to sign tokens (None: it is fit)."""
    if secret == DEVELOPMENT_SECRET:
        return "is the public development secret"
    if len(secret.encode()) < MIN_SECRET_BYTES:
        return f"is shorter than {MIN_SECRET_BYTES} bytes"
    lowered = secret.lower()
    if any(word in lowered for word in _PLACEHOLDER_WORDS) or len(set(secret)) < 8:
        return "looks like a placeholder"
    return None


def _development_beyond_loopback(settings: Settings, bind: str) -> None:
    auth = settings.auth
    host = bind.rsplit(":", 1)[0] if bind.count(":") == 1 or bind.startswith("[") else bind
    if host.startswith(_LOOPBACK) or not any(alg.upper().startswith("HS") for alg in auth.algorithms):
        return
    problem = "is not set" if auth.hs256_secret is None else weak_secret(auth.hs256_secret.get_secret_value())
    if problem:
        raise ContractError(
            f"the API refuses to start: it would listen on {bind}, beyond loopback, in development mode while "
            f"SUBSHIFT_AUTH_HS256_SECRET {problem}; set it to {MIN_SECRET_BYTES} random bytes of your own "
            "(e.g. openssl rand -base64 32)")


def refuse_unsafe_production(settings: Settings, *, bind: str | None = None) -> None:
    """Refuse what the module docstring lists; ``bind`` is where the API will listen (default ``api.addr``).

    Raises:
        ContractError: production mode with a weak HS* secret or without TLS, or development mode beyond
            loopback without a strong secret (one sentence saying how to fix it).
    """
    auth, api = settings.auth, settings.api
    if not auth.production:
        _development_beyond_loopback(settings, bind or api.addr)
        return
    hmac = sorted(alg for alg in auth.algorithms if alg.upper().startswith("HS"))
    if hmac and auth.hs256_secret is not None:
        problem = weak_secret(auth.hs256_secret.get_secret_value())
        if problem:
            raise ContractError(
                f"production mode refuses to start: SUBSHIFT_AUTH_HS256_SECRET {problem} while "
                f"SUBSHIFT_AUTH_ALGORITHMS allows {', '.join(hmac)}; use RS256/ES256 keys from a JWKS "
                f"(SUBSHIFT_AUTH_JWKS_URL) or a random secret of at least {MIN_SECRET_BYTES} bytes")
    if (api.tls_cert is None or api.tls_key is None) and not api.allow_plaintext:
        raise ContractError(
            "production mode refuses to start without TLS: set SUBSHIFT_API_TLS_CERT and SUBSHIFT_API_TLS_KEY, "
            "or SUBSHIFT_API_ALLOW_PLAINTEXT=true only if a mesh terminates TLS in front of the API")
