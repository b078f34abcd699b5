"""Hostile bearer tokens against a real server configured for RS256/ES256 (JWKS file) and HS256.

Every refusal is UNAUTHENTICATED with the one generic message, or PERMISSION_DENIED naming only the
role the method needs: nothing about the token (which check failed, the key, the claims) reaches the
caller. The migration API's own tests cover no token, a Basic scheme, garbage, ``alg: none``, a
wrong HS256 secret and an oversized token on the HS256 server; these are the key-based cases.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import grpc
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from sqlalchemy import Engine

from subshift.api.server import create_server
from subshift.config import Settings
from subshift_client import migration_v1 as pb
from tests.integration.api.uploads import requests, rows

GENERIC = "missing or invalid credentials"
RSA_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
OTHER_RSA_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
EC_KEY = ec.generate_private_key(ec.SECP256R1())
RSA_PUBLIC_PEM = RSA_KEY.public_key().public_bytes(serialization.Encoding.PEM,
                                                   serialization.PublicFormat.SubjectPublicKeyInfo)


def _jwk(key: Any, algorithm: Any, kid: str, alg: str) -> dict[str, Any]:
    entry: dict[str, Any] = algorithm.to_jwk(key.public_key(), as_dict=True)
    return {**entry, "kid": kid, "alg": alg, "use": "sig"}


@pytest.fixture(scope="module")
def keyed_stub(api_settings: Settings, engine: Engine, tmp_path_factory: pytest.TempPathFactory,
               ) -> Iterator[tuple[pb.MigrationServiceStub, Settings]]:
    jwks = {"keys": [_jwk(RSA_KEY, jwt.algorithms.RSAAlgorithm, "rsa-1", "RS256"),
                     _jwk(EC_KEY, jwt.algorithms.ECAlgorithm, "ec-1", "ES256")]}
    path: Path = tmp_path_factory.mktemp("jwks") / "jwks.json"
    path.write_text(json.dumps(jwks))
    settings = api_settings.model_copy(update={"auth": api_settings.auth.model_copy(update={
        "algorithms": ["RS256", "ES256", "HS256"], "jwks_file": str(path), "max_token_bytes": 2048})})
    server = create_server(settings, engine, address="127.0.0.1:0")
    with grpc.insecure_channel(f"127.0.0.1:{server.port}") as channel:
        yield pb.MigrationServiceStub(channel), settings
    server.stop(0).wait(5)


def _claims(settings: Settings, **changes: Any) -> dict[str, Any]:
    now = int(time.time())
    claims = {"sub": "mallory", "iss": settings.auth.issuer, "aud": settings.auth.audience, "iat": now,
              "nbf": now, "exp": now + 600, settings.auth.role_claim: ["operator"]}
    claims.update(changes)
    return {k: v for k, v in claims.items() if v is not None}


def _rs(claims: dict[str, Any], *, key: Any = RSA_KEY, kid: str | None = "rsa-1", alg: str = "RS256") -> str:
    headers = {"kid": kid} if kid is not None else {}
    return jwt.encode(claims, key, algorithm=alg, headers=headers)


def _hs_with_public_key(claims: dict[str, Any]) -> str:
    # PyJWT refuses to HMAC-sign with a PEM key; build the confused token by hand, as an attacker would.
    header = jwt.utils.base64url_encode(json.dumps({"alg": "HS256", "typ": "JWT", "kid": "rsa-1"}).encode())
    payload = jwt.utils.base64url_encode(json.dumps(claims).encode())
    signature = hmac.new(RSA_PUBLIC_PEM, header + b"." + payload, hashlib.sha256).digest()
    return b".".join([header, payload, jwt.utils.base64url_encode(signature)]).decode()


Case = Callable[[Settings], list[tuple[str, str]]]


def _bearer(token: str) -> list[tuple[str, str]]:
    return [("authorization", f"Bearer {token}")]


UNAUTHENTICATED: dict[str, Case] = {
    "no_metadata_at_all": lambda s: [],
    "three_empty_segments": lambda s: _bearer(".."),
    "alg_none_with_a_kid": lambda s: _bearer(jwt.encode(_claims(s), None, algorithm="none",
                                                        headers={"kid": "rsa-1"})),
    "hs256_signed_with_the_rs256_public_key": lambda s: _bearer(_hs_with_public_key(_claims(s))),
    "rs256_signed_with_another_key": lambda s: _bearer(_rs(_claims(s), key=OTHER_RSA_KEY)),
    "unknown_kid": lambda s: _bearer(_rs(_claims(s), kid="rsa-999")),
    "rs256_without_a_kid": lambda s: _bearer(_rs(_claims(s), kid=None)),
    "es256_naming_the_rsa_kid": lambda s: _bearer(_rs(_claims(s), key=EC_KEY, kid="rsa-1", alg="ES256")),
    "rs512_not_in_the_allow_list": lambda s: _bearer(_rs(_claims(s), alg="RS512")),
    "expired_beyond_leeway": lambda s: _bearer(_rs(_claims(s, exp=int(time.time()) - 120))),
    "not_before_in_the_future": lambda s: _bearer(_rs(_claims(s, nbf=int(time.time()) + 600))),
    "issued_in_the_future": lambda s: _bearer(_rs(_claims(s, iat=int(time.time()) + 600))),
    "wrong_issuer": lambda s: _bearer(_rs(_claims(s, iss="https://evil.example"))),
    "wrong_audience": lambda s: _bearer(_rs(_claims(s, aud="another-service"))),
    "no_expiry": lambda s: _bearer(_rs(_claims(s, exp=None))),
    "expiry_as_text": lambda s: _bearer(_rs(_claims(s, exp="4000000000"))),
    "no_subject": lambda s: _bearer(_rs(_claims(s, sub=None))),
    "over_the_token_size_limit": lambda s: _bearer(_rs(_claims(s, padding="x" * 3_000))),
    "two_authorization_headers": lambda s: _bearer(_rs(_claims(s))) * 2,
    "signature_stripped": lambda s: _bearer(_rs(_claims(s)).rsplit(".", 1)[0] + "."),
    "payload_swapped_after_signing": lambda s: _bearer(".".join([
        _rs(_claims(s)).split(".")[0],
        jwt.utils.base64url_encode(json.dumps(_claims(s, roles=["admin"])).encode()).decode(),
        _rs(_claims(s)).split(".")[2]])),
}

PERMISSION_DENIED: dict[str, Case] = {
    "no_role_claim": lambda s: _bearer(_rs(_claims(s, roles=None))),
    "viewer_calls_create": lambda s: _bearer(_rs(_claims(s, roles=["viewer"]))),
    "unknown_role_name": lambda s: _bearer(_rs(_claims(s, roles=["superuser", "root"]))),
    "role_claim_as_an_object": lambda s: _bearer(_rs(_claims(s, roles={"operator": True}))),
    "role_name_in_another_case": lambda s: _bearer(_rs(_claims(s, roles=["OPERATOR"]))),
}


def _create(stub: pb.MigrationServiceStub, metadata: list[tuple[str, str]]) -> None:
    stub.CreateMigration(requests(rows(f"t{uuid.uuid4().hex[:8]},basic,basic")), metadata=metadata, timeout=10)


@pytest.mark.parametrize("case", UNAUTHENTICATED.values(), ids=UNAUTHENTICATED.keys())
def test_a_bad_token_is_unauthenticated_with_the_generic_message(keyed_stub: Any, case: Case) -> None:
    stub, settings = keyed_stub
    with pytest.raises(grpc.RpcError) as raised:
        _create(stub, case(settings))
    assert raised.value.code() == grpc.StatusCode.UNAUTHENTICATED
    assert raised.value.details() == GENERIC
    assert not raised.value.trailing_metadata()


@pytest.mark.parametrize("case", PERMISSION_DENIED.values(), ids=PERMISSION_DENIED.keys())
def test_a_valid_token_without_the_role_is_permission_denied_naming_only_the_role(keyed_stub: Any,
                                                                                   case: Case) -> None:
    stub, settings = keyed_stub
    with pytest.raises(grpc.RpcError) as raised:
        _create(stub, case(settings))
    assert raised.value.code() == grpc.StatusCode.PERMISSION_DENIED
    assert raised.value.details() == "this call needs the operator role"


@pytest.mark.parametrize("token", [
    pytest.param(lambda s: _rs(_claims(s)), id="rs256"),
    pytest.param(lambda s: _rs(_claims(s), key=EC_KEY, kid="ec-1", alg="ES256"), id="es256"),
    pytest.param(lambda s: _rs(_claims(s, exp=int(time.time()) - 10)), id="expired_within_leeway"),
])
def test_a_good_token_passes_authentication(keyed_stub: Any, token: Callable[[Settings], str]) -> None:
    stub, settings = keyed_stub
    with pytest.raises(grpc.RpcError) as raised:  # past auth, the row itself is refused (current = target)
        _create(stub, _bearer(token(settings)))
    assert raised.value.code() == grpc.StatusCode.INVALID_ARGUMENT


def test_a_token_over_the_transport_header_limit_is_refused_before_any_parsing(keyed_stub: Any) -> None:
    stub, settings = keyed_stub
    with pytest.raises(grpc.RpcError) as raised:
        _create(stub, _bearer(_rs(_claims(settings, padding="x" * 30_000))))
    assert raised.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
    assert "mallory" not in (raised.value.details() or "")
