"""Token verification: every way a token can be wrong, and the few ways it is right."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from pydantic import SecretStr

from subshift.api.auth import VERIFIED_FOR_SECONDS, Caller, Role, TokenVerifier
from subshift.api.errors import AuthenticationError
from subshift.api.tokens import mint_dev_token, parse_ttl
from subshift.config import AuthSettings
from subshift.errors import ContractError

NOW = 1_800_000_000.0
SECRET = "unit-test-shared-secret-of-enough-length"
RSA_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
OTHER_RSA_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
EC_KEY = ec.generate_private_key(ec.SECP256R1())
RSA_PUBLIC_PEM = RSA_KEY.public_key().public_bytes(serialization.Encoding.PEM,
                                                   serialization.PublicFormat.SubjectPublicKeyInfo)


def _jwk(key: Any, kid: str, alg: str) -> dict[str, Any]:
    algorithm = jwt.algorithms.RSAAlgorithm if alg.startswith("RS") else jwt.algorithms.ECAlgorithm
    data: dict[str, Any] = json.loads(algorithm.to_jwk(key.public_key()))
    return {**data, "kid": kid, "alg": alg, "use": "sig"}


@pytest.fixture(scope="module")
def auth(tmp_path_factory: pytest.TempPathFactory) -> AuthSettings:
    jwks = tmp_path_factory.mktemp("jwks") / "jwks.json"
    jwks.write_text(json.dumps({"keys": [_jwk(RSA_KEY, "rsa-1", "RS256"), _jwk(EC_KEY, "ec-1", "ES256")]}))
    return AuthSettings(algorithms=["RS256", "ES256", "HS256"], hs256_secret=SecretStr(SECRET), jwks_file=str(jwks),
                        issuer="subshift-test", audience="subshift", role_claim="roles", leeway_seconds=30,
                        max_token_bytes=4096)


def claims(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {"sub": "alice", "iss": "subshift-test", "aud": "subshift", "iat": NOW, "nbf": NOW,
                            "exp": NOW + 600, "roles": ["operator"]}
    base.update(changes)
    return {key: value for key, value in base.items() if value is not None}


def rs256(payload: dict[str, Any], *, key: Any = RSA_KEY, kid: str | None = "rsa-1") -> str:
    return jwt.encode(payload, key, algorithm="RS256", headers={"kid": kid} if kid else None)


def hs256(payload: dict[str, Any], secret: str | bytes = SECRET) -> str:
    return jwt.encode(payload, secret, algorithm="HS256")


def unsigned(payload: dict[str, Any]) -> str:
    return jwt.encode(payload, None, algorithm="none")


def forged_hs256_with_public_key(payload: dict[str, Any]) -> str:
    """Algorithm confusion: HS256 keyed with the RSA public key's PEM bytes (PyJWT refuses, so sign by hand)."""
    import base64
    import hashlib
    import hmac

    def b64(raw: bytes) -> str:
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")
    head = b64(json.dumps({"alg": "HS256", "typ": "JWT", "kid": "rsa-1"}).encode())
    body = b64(json.dumps(payload).encode())
    signature = hmac.new(RSA_PUBLIC_PEM, f"{head}.{body}".encode(), hashlib.sha256).digest()
    return f"{head}.{body}.{b64(signature)}"


@dataclass(frozen=True)
class Bad:
    id: str
    token: Callable[[], str]


BAD = [
    Bad("none", lambda: ""),
    Bad("malformed", lambda: "not-a-jwt"),
    Bad("malformed_segments", lambda: "a.b.c"),
    Bad("alg_none", lambda: unsigned(claims())),
    Bad("hs256_signed_with_rs256_public_key", lambda: forged_hs256_with_public_key(claims())),
    Bad("hs256_wrong_secret", lambda: hs256(claims(), "another-secret-of-sufficient-length!!")),
    Bad("rs256_wrong_key", lambda: rs256(claims(), key=OTHER_RSA_KEY)),
    Bad("unknown_kid", lambda: rs256(claims(), kid="rsa-9")),
    Bad("missing_kid", lambda: rs256(claims(), kid=None)),
    Bad("kid_of_other_algorithm", lambda: rs256(claims(), kid="ec-1")),
    Bad("algorithm_not_allowed", lambda: jwt.encode(claims(), RSA_KEY, algorithm="RS512", headers={"kid": "rsa-1"})),
    Bad("expired", lambda: hs256(claims(exp=NOW - 31))),
    Bad("nbf_in_future", lambda: hs256(claims(nbf=NOW + 31))),
    Bad("iat_in_future", lambda: hs256(claims(iat=NOW + 31))),
    Bad("exp_not_a_number", lambda: hs256(claims(exp="tomorrow"))),
    Bad("missing_exp", lambda: hs256(claims(exp=None))),
    Bad("missing_sub", lambda: hs256(claims(sub=None))),
    Bad("missing_iss", lambda: hs256(claims(iss=None))),
    Bad("wrong_iss", lambda: hs256(claims(iss="someone-else"))),
    Bad("missing_aud", lambda: hs256(claims(aud=None))),
    Bad("wrong_aud", lambda: hs256(claims(aud="another-service"))),
    Bad("oversize", lambda: hs256(claims(padding="x" * 5000))),
    Bad("tampered_payload", lambda: (lambda t: t.split(".")[0] + "." + hs256(claims(sub="mallory")).split(".")[1]
                                     + "." + t.split(".")[2])(hs256(claims()))),
]


@pytest.mark.parametrize("case", BAD, ids=[case.id for case in BAD])
def test_bad_token_is_unauthenticated(case: Bad, auth: AuthSettings) -> None:
    with pytest.raises(AuthenticationError):
        TokenVerifier(auth, clock=lambda: NOW).verify(case.token())


@pytest.mark.parametrize(("token", "role"), [
    pytest.param(lambda: rs256(claims()), Role.OPERATOR, id="rs256"),
    pytest.param(lambda: jwt.encode(claims(roles="viewer"), EC_KEY, algorithm="ES256", headers={"kid": "ec-1"}),
                 Role.VIEWER, id="es256_role_as_string"),
    pytest.param(lambda: hs256(claims(roles=["viewer", "admin", "operator"])), Role.ADMIN, id="highest_role_counts"),
    pytest.param(lambda: hs256(claims(roles=None)), None, id="missing_role_claim"),
    pytest.param(lambda: hs256(claims(roles=["superuser"])), None, id="unknown_role"),
    pytest.param(lambda: hs256(claims(exp=NOW - 29, nbf=NOW + 29, iat=NOW + 29)), Role.OPERATOR,
                 id="within_leeway"),
])
def test_good_token_names_the_caller(token: Callable[[], str], role: Role | None, auth: AuthSettings) -> None:
    assert TokenVerifier(auth, clock=lambda: NOW).verify(token()) == Caller("alice", role)


def test_clock_skew_beyond_leeway_is_refused(auth: AuthSettings) -> None:
    token = hs256(claims())
    ten_minutes = 600.0
    with pytest.raises(AuthenticationError, match="expired"):
        TokenVerifier(auth, clock=lambda: NOW + ten_minutes + 31).verify(token)
    with pytest.raises(AuthenticationError, match="nbf"):
        TokenVerifier(auth, clock=lambda: NOW - ten_minutes).verify(token)


def test_a_remembered_token_is_still_refused_once_it_expires(auth: AuthSettings) -> None:
    now = [float(NOW)]
    verifier = TokenVerifier(auth, clock=lambda: now[0])
    token = hs256(claims(exp=NOW + 20))
    assert verifier.verify(token) == Caller("alice", Role.OPERATOR)
    now[0] += 20 + 31  # past exp and the 30 s leeway, well within the time a verification is remembered
    assert now[0] < NOW + VERIFIED_FOR_SECONDS
    with pytest.raises(AuthenticationError, match="expired"):
        verifier.verify(token)


def test_a_remembered_token_is_checked_in_full_again_after_a_while(auth: AuthSettings,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    now = [float(NOW)]
    verifier = TokenVerifier(auth, clock=lambda: now[0])
    token = rs256(claims())
    decodes: list[str] = []
    real_decode = jwt.decode
    monkeypatch.setattr(jwt, "decode", lambda *a, **k: decodes.append("decode") or real_decode(*a, **k))
    verifier.verify(token)
    verifier.verify(token)
    assert decodes == ["decode"]  # the second call was remembered
    now[0] += VERIFIED_FOR_SECONDS
    verifier.verify(token)
    assert decodes == ["decode", "decode"]


def test_hs256_is_refused_when_not_in_the_allow_list(auth: AuthSettings) -> None:
    production = auth.model_copy(update={"algorithms": ["RS256"]})
    with pytest.raises(AuthenticationError, match="not allowed"):
        TokenVerifier(production, clock=lambda: NOW).verify(hs256(claims()))


def test_allowing_alg_none_is_a_configuration_error(auth: AuthSettings) -> None:
    with pytest.raises(ContractError):
        TokenVerifier(auth.model_copy(update={"algorithms": ["none"]}))


def test_minted_dev_token_verifies(auth: AuthSettings) -> None:
    token = mint_dev_token(auth, role=Role.VIEWER, subject="bob", ttl_seconds=60, clock=lambda: NOW)
    assert TokenVerifier(auth, clock=lambda: NOW).verify(token) == Caller("bob", Role.VIEWER)


def test_minting_is_refused_in_production(auth: AuthSettings) -> None:
    with pytest.raises(ContractError, match="production"):
        mint_dev_token(auth.model_copy(update={"production": True}), role=Role.ADMIN, subject="x", ttl_seconds=60)


@pytest.mark.parametrize(("text", "seconds"), [("90s", 90), ("15m", 900), ("1h", 3600), ("7d", 604800)])
def test_ttl_durations(text: str, seconds: int) -> None:
    assert parse_ttl(text) == seconds


def test_jwks_file_is_read_once(auth: AuthSettings, tmp_path: Path) -> None:
    verifier = TokenVerifier(auth, clock=lambda: NOW)
    Path(auth.jwks_file or "").rename(tmp_path / "moved.json")
    try:
        assert verifier.verify(rs256(claims())).subject == "alice"
    finally:
        (tmp_path / "moved.json").rename(auth.jwks_file or "")
