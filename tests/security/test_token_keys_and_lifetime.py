"""JWKS fetching that callers cannot drive, and tokens that cannot live for ever.

Found: PyJWT's 30 s timeout applied; every token with an unknown ``kid`` refetched the JWKS while
the identity provider was slow or failing; the attacker-chosen ``kid`` (up to 8 KB) went into the
log on every anonymous request; ``exp`` of 1e300 was accepted and the leeway had no bound. The
JWKS here is served by a real HTTP server on a free port, counting its fetches.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from pydantic import ValidationError

from subshift.api.auth import Role, TokenVerifier
from subshift.api.errors import AuthenticationError
from subshift.api.tokens import mint_dev_token
from subshift.config import AuthSettings, load_settings
from subshift.errors import ContractError, DataError

KEY = ec.generate_private_key(ec.SECP256R1())


class Jwks:
    """A JWKS endpoint: ``fetches`` counts requests; ``delay`` makes it slow."""

    def __init__(self) -> None:
        self.fetches = 0
        self.delay = 0.0
        self.release = threading.Event()
        jwk = json.loads(jwt.algorithms.ECAlgorithm.to_jwk(KEY.public_key()))
        body = json.dumps({"keys": [{**jwk, "kid": "ec-1", "alg": "ES256", "use": "sig"}]}).encode()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                outer.fetches += 1
                if outer.delay:
                    outer.release.wait(outer.delay)
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/jwks.json"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def jwks() -> Iterator[Jwks]:
    served = Jwks()
    yield served
    served.release.set()
    served.server.shutdown()


def _settings(url: str, **more: Any) -> AuthSettings:
    return AuthSettings(algorithms=["ES256"], hs256_secret=None, jwks_url=url, issuer="idp", audience="subshift",
                        **more)


def _token(kid: str, *, exp_in: float = 600, **claims: Any) -> str:
    now = int(time.time())
    payload = {"sub": "someone", "iss": "idp", "aud": "subshift", "iat": now, "exp": now + exp_in, "roles": ["viewer"],
               **claims}
    return jwt.encode(payload, KEY, algorithm="ES256", headers={"kid": kid})


def _refused(verifier: TokenVerifier, token: str) -> str:
    with pytest.raises(AuthenticationError) as raised:
        verifier.verify(token)
    return str(raised.value)


def test_the_known_key_is_fetched_once_and_verifies(jwks: Jwks) -> None:
    verifier = TokenVerifier(_settings(jwks.url))
    assert verifier.verify(_token("ec-1")).subject == "someone"
    assert jwks.fetches == 1


def test_a_flood_of_unknown_kids_does_not_refetch_the_jwks(jwks: Jwks) -> None:
    verifier = TokenVerifier(_settings(jwks.url))
    for _ in range(50):
        assert "unknown kid" in _refused(verifier, _token("gone-1"))
    for _ in range(50):
        assert "unknown kid" in _refused(verifier, _token(f"random-{uuid.uuid4().hex}"))
    assert jwks.fetches <= 2  # the first fetch, and at most one refresh per auth.unknown_kid_seconds


def test_a_slow_jwks_is_given_up_after_the_timeout_and_not_retried_at_once(jwks: Jwks) -> None:
    jwks.delay = 60.0
    verifier = TokenVerifier(_settings(jwks.url))
    started = time.monotonic()
    assert "JWKS fetch failed" in _refused(verifier, _token("ec-1"))
    assert time.monotonic() - started < 10, "auth.jwks_timeout_seconds is 3 s; generous margin"
    for _ in range(20):
        assert "not retried yet" in _refused(verifier, _token(f"other-{uuid.uuid4().hex[:8]}"))
    assert jwks.fetches == 1


@pytest.mark.parametrize("kid", ["k" * 5000, "a b", "x\ny", "<script>", "é"], ids=["5KB", "space", "newline",
                                                                                   "markup", "non-ascii"])
def test_an_implausible_kid_is_refused_unfetched_and_shown_cut_short(jwks: Jwks, kid: str) -> None:
    verifier = TokenVerifier(_settings(jwks.url))
    reason = _refused(verifier, _token(kid))
    assert "is not a key id" in reason
    assert len(reason) < 200, "the reason goes to the log"
    assert jwks.fetches == 0


def test_a_long_algorithm_name_is_shown_cut_short() -> None:
    header = jwt.utils.base64url_encode(json.dumps({"alg": "X" * 6000, "kid": "k"}).encode()).decode()
    verifier = TokenVerifier(AuthSettings(algorithms=["ES256"], hs256_secret=None, jwks_url="http://127.0.0.1:9/"))
    reason = _refused(verifier, f"{header}.e30.c2ln")
    assert len(reason) < 200


@pytest.mark.parametrize("exp_in", [1e300, 25 * 3600, 10 * 365 * 86400], ids=["1e300", "25h", "10y"])
def test_an_exp_beyond_the_maximum_lifetime_is_refused(jwks: Jwks, exp_in: float) -> None:
    verifier = TokenVerifier(_settings(jwks.url))
    assert "max_lifetime_seconds" in _refused(verifier, _token("ec-1", exp_in=exp_in))


def test_an_exp_within_the_maximum_lifetime_is_accepted(jwks: Jwks) -> None:
    assert TokenVerifier(_settings(jwks.url)).verify(_token("ec-1", exp_in=23 * 3600)).subject == "someone"


@pytest.mark.parametrize("value", [float("nan"), float("inf")], ids=["NaN", "Infinity"])
def test_a_non_finite_exp_is_refused(jwks: Jwks, value: float) -> None:
    now = int(time.time())
    token = jwt.encode({"sub": "s", "iss": "idp", "aud": "subshift", "iat": now, "exp": value}, KEY,
                       algorithm="ES256", headers={"kid": "ec-1"})
    assert "exp must be a number" in _refused(TokenVerifier(_settings(jwks.url)), token)


def test_the_leeway_is_capped_at_five_minutes(monkeypatch: pytest.MonkeyPatch) -> None:
    assert AuthSettings(leeway_seconds=300).leeway_seconds == 300
    with pytest.raises(ValidationError):
        AuthSettings(leeway_seconds=301)
    monkeypatch.setenv("SUBSHIFT_AUTH_LEEWAY_SECONDS", "86400")
    with pytest.raises(ContractError, match="leeway_seconds"):
        load_settings()


def test_development_tokens_cannot_outlive_the_maximum_lifetime() -> None:
    with pytest.raises(DataError, match="max_lifetime_seconds"):
        mint_dev_token(AuthSettings(), role=Role.ADMIN, subject="x", ttl_seconds=7 * 86400)
