"""Production mode fails closed: the API refuses to start on a guessable secret or without TLS.

Found: ``SUBSHIFT_AUTH_PRODUCTION`` only stopped ``subshift token``; the server accepted tokens
signed with the public development secret and served bearer tokens in clear. Each refusal is one
sentence that says what to set; the real command exits 2 with it.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import SecretStr

from subshift.api.production import refuse_unsafe_production
from subshift.config import ApiSettings, AuthSettings, Settings
from subshift.config.auth import DEVELOPMENT_SECRET
from subshift.errors import ContractError

STRONG = "q8Vd1mZ4kT7wB2nR5yH0cJ3fL6sX9pGa"  # 32 bytes, 32 distinct characters
TLS = {"tls_cert": Path("/etc/subshift/tls/tls.crt"), "tls_key": Path("/etc/subshift/tls/tls.key")}


def _settings(*, auth: dict[str, object], api: dict[str, object] | None = None) -> Settings:
    return Settings(auth=AuthSettings.model_validate({"production": True, **auth}),
                    api=ApiSettings.model_validate(api if api is not None else TLS))


WEAK_SECRETS = {
    "the development default": (DEVELOPMENT_SECRET, "public development secret"),
    "the old k8s placeholder": ("CHANGE-ME-to-32-random-bytes-xxxxxxxx", "placeholder"),
    "short": ("s3cr3t-but-short", "shorter than 32 bytes"),
    "one repeated character": ("a" * 40, "placeholder"),
}


@pytest.mark.parametrize(("secret", "why"), WEAK_SECRETS.values(), ids=WEAK_SECRETS.keys())
def test_production_refuses_hs256_with_a_guessable_secret(secret: str, why: str) -> None:
    with pytest.raises(ContractError, match=why) as raised:
        refuse_unsafe_production(_settings(auth={"algorithms": ["HS256"], "hs256_secret": SecretStr(secret)}))
    assert str(raised.value).count(". ") == 0, "one sentence"


def test_production_refuses_to_serve_without_tls() -> None:
    with pytest.raises(ContractError, match="without TLS"):
        refuse_unsafe_production(_settings(auth={"algorithms": ["RS256"], "jwks_url": "https://idp/jwks"}, api={}))


def test_production_serves_plaintext_only_when_a_mesh_is_declared() -> None:
    refuse_unsafe_production(_settings(auth={"algorithms": ["RS256"], "jwks_url": "https://idp/jwks"},
                                       api={"allow_plaintext": True}))


def test_production_starts_with_jwks_keys_and_tls_or_a_strong_secret() -> None:
    refuse_unsafe_production(_settings(auth={"algorithms": ["RS256", "ES256"], "jwks_url": "https://idp/jwks"}))
    refuse_unsafe_production(_settings(auth={"algorithms": ["HS256"], "hs256_secret": SecretStr(STRONG)}))


def test_the_development_secret_exists_only_in_development_mode() -> None:
    assert AuthSettings.model_validate({"production": False}).hs256_secret is not None
    assert AuthSettings.model_validate({"production": True}).hs256_secret is None


def test_serve_api_in_production_without_tls_exits_2_with_one_sentence() -> None:
    env = {key: value for key, value in os.environ.items() if not key.startswith("SUBSHIFT_")}
    env.update(SUBSHIFT_AUTH_PRODUCTION="true", SUBSHIFT_API_ADDR="127.0.0.1:0", SUBSHIFT_API_METRICS_PORT="0")
    subshift = Path(sys.executable).with_name("subshift")
    result = subprocess.run([str(subshift), "serve", "api"], env=env, capture_output=True, text=True, timeout=120,
                            check=False)
    assert result.returncode == 2
    assert "production mode refuses to start without TLS" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("bind", ["0.0.0.0:50051", "[::]:50051", ":50051", "10.0.0.7:50051"])
def test_development_mode_refuses_the_public_secret_beyond_loopback(bind: str) -> None:
    development = Settings(auth=AuthSettings.model_validate({"production": False}), api=ApiSettings(addr=bind))
    with pytest.raises(ContractError, match="beyond loopback"):
        refuse_unsafe_production(development)


@pytest.mark.parametrize("secret", ["", "short", "CHANGE-ME-to-32-random-bytes-xxxxxxxx"], ids=["empty", "short",
                                                                                                   "placeholder"])
def test_development_mode_beyond_loopback_needs_a_strong_secret(secret: str) -> None:
    development = Settings(auth=AuthSettings.model_validate({"production": False, "hs256_secret": secret}),
                           api=ApiSettings(addr="0.0.0.0:50051"))
    with pytest.raises(ContractError, match="SUBSHIFT_AUTH_HS256_SECRET"):
        refuse_unsafe_production(development)
    strong = development.model_copy(update={"auth": AuthSettings.model_validate({"hs256_secret": STRONG})})
    refuse_unsafe_production(strong)


def test_an_empty_secret_is_no_secret() -> None:
    assert AuthSettings.model_validate({"hs256_secret": ""}).hs256_secret is None


@pytest.mark.parametrize("bind", ["127.0.0.1:50051", "localhost:0", "[::1]:50051"])
def test_development_mode_keeps_the_public_secret_on_loopback(bind: str) -> None:
    refuse_unsafe_production(Settings(auth=AuthSettings.model_validate({"production": False}),
                                      api=ApiSettings(addr=bind)))
