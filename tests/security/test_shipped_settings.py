"""Every shipped configuration, loaded through ``load_settings``, refuses a forged admin token or refuses to start.

Found: with the k8s files as shipped, with a k8s Secret missing the key, and with the image's own
environment, an HS256 admin token signed with a public value (the development default, the k8s
placeholder) was accepted. Here each configuration's environment is read from the files
themselves (k8s ConfigMap + Secret, the compose file's environment, the Dockerfile's ENV), loaded
as the API loads it, passed through its start-up check, and offered tokens forged with every
public value.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jwt
import pytest
import yaml

from subshift.api.auth import Role, TokenVerifier
from subshift.api.errors import AuthenticationError
from subshift.api.production import refuse_unsafe_production
from subshift.config import load_settings
from subshift.config.auth import DEVELOPMENT_SECRET
from subshift.errors import ContractError
from tests.unit.deploy.deploy_files import REPO, find, load_kustomization, render_kustomization

# Forging with the short placeholder is the point; PyJWT's warning about its length is expected.
pytestmark = pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")

# Values anyone can read in this repository or its history.
PUBLIC_SECRETS = (DEVELOPMENT_SECRET, "CHANGE-ME-to-32-random-bytes")
REFUSES_TO_START = "refuses to start"
REFUSES_FORGED = "refuses forged tokens"
ACCEPTS_FORGED = "ACCEPTS A FORGED ADMIN TOKEN"


def _forged(secret: str, *, issuer: str, audience: str) -> str:
    now = int(time.time())
    claims = {"sub": "mallory", "iss": issuer, "aud": audience, "iat": now, "exp": now + 600,
              "roles": [Role.ADMIN.name.lower()]}
    return jwt.encode(claims, secret, algorithm="HS256")


def _verdict(environment: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> str:
    with monkeypatch.context() as patched:
        for name in [name for name in os.environ if name.startswith("SUBSHIFT_")]:
            patched.delenv(name)
        for name, value in environment.items():
            patched.setenv(name, value)
        try:
            settings = load_settings()
            refuse_unsafe_production(settings)
        except ContractError:
            return REFUSES_TO_START
        verifier = TokenVerifier(settings.auth)
        for secret in PUBLIC_SECRETS:
            try:
                verifier.verify(_forged(secret, issuer=settings.auth.issuer, audience=settings.auth.audience))
            except AuthenticationError:
                continue
            return ACCEPTS_FORGED
    return REFUSES_FORGED


def _k8s(edit: Callable[[dict[str, str]], None] = lambda secret: None) -> dict[str, str]:
    rendered = render_kustomization(load_kustomization())
    secret = dict(find(rendered, "Secret", "subshift-secrets")["stringData"])
    edit(secret)
    return {**find(rendered, "ConfigMap", "subshift-config")["data"], **secret}


def _interpolate(value: str, shell: dict[str, str]) -> str:
    """Compose's ``${VAR}``, ``${VAR:-default}`` and ``${VAR:?error}`` (an unset ``:?`` stops compose)."""
    def one(match: re.Match[str]) -> str:
        name, operator, word = match.group(1), match.group(2), match.group(3)
        if shell.get(name):
            return shell[name]
        if operator == ":?":
            raise ContractError(f"compose refuses to start: {word}")
        return word or ""
    return re.sub(r"\$\{(\w+)(?:(:-|:\?)([^}]*))?\}", one, value)


def _compose(shell: dict[str, str]) -> dict[str, str]:
    document: dict[str, Any] = yaml.safe_load((REPO / "docker-compose.yml").read_text())
    environment = document["services"]["api"]["environment"]
    return {name: _interpolate(str(value), shell) for name, value in environment.items()}


def _dockerfile() -> dict[str, str]:
    text = (REPO / "Dockerfile").read_text().replace("\\\n", " ")
    runtime = text.rsplit("\nFROM ", 1)[-1]
    pairs = [pair for line in runtime.splitlines() if line.startswith("ENV ") for pair in line.split()[1:]]
    return {name: value for name, _, value in (pair.partition("=") for pair in pairs) if name.startswith("SUBSHIFT_")}


def _compose_verdict(shell: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> str:
    try:
        environment = _compose(shell)
    except ContractError:
        return REFUSES_TO_START
    return _verdict(environment, monkeypatch)


CONFIGURATIONS: dict[str, Callable[[pytest.MonkeyPatch], str]] = {
    "k8s ConfigMap and Secret as shipped": lambda mp: _verdict(_k8s(), mp),
    "k8s Secret with the old placeholder secret put back": lambda mp: _verdict(
        _k8s(lambda secret: secret.update(SUBSHIFT_AUTH_HS256_SECRET="CHANGE-ME-to-32-random-bytes")), mp),
    "k8s Secret with the development secret": lambda mp: _verdict(
        _k8s(lambda secret: secret.update(SUBSHIFT_AUTH_HS256_SECRET=DEVELOPMENT_SECRET)), mp),
    "k8s Secret missing every key": lambda mp: _verdict(_k8s(lambda secret: secret.clear()), mp),
    "k8s with HS256 allowed again but no secret": lambda mp: _verdict(
        {**_k8s(), "SUBSHIFT_AUTH_ALGORITHMS": '["HS256", "RS256"]'}, mp),
    "compose without a secret of the user's own": lambda mp: _compose_verdict({}, mp),
    "compose with the development secret exported": lambda mp: _compose_verdict(
        {"SUBSHIFT_AUTH_HS256_SECRET": DEVELOPMENT_SECRET}, mp),
    "compose with a secret of the user's own": lambda mp: _compose_verdict(
        {"SUBSHIFT_AUTH_HS256_SECRET": "k3J9v0QzR2b8Wm5Yx1Tn7Lp4Hs6Dq0Fa"}, mp),
    "the image's own environment": lambda mp: _verdict(_dockerfile(), mp),
    "the image with the development secret passed in": lambda mp: _verdict(
        {**_dockerfile(), "SUBSHIFT_AUTH_HS256_SECRET": DEVELOPMENT_SECRET}, mp),
}


@pytest.mark.parametrize("configuration", CONFIGURATIONS.values(), ids=CONFIGURATIONS.keys())
def test_a_shipped_configuration_refuses_a_forged_admin_token_or_refuses_to_start(
        configuration: Callable[[pytest.MonkeyPatch], str], monkeypatch: pytest.MonkeyPatch) -> None:
    assert configuration(monkeypatch) in (REFUSES_TO_START, REFUSES_FORGED)


def test_the_forgery_is_real_development_defaults_accept_it(monkeypatch: pytest.MonkeyPatch) -> None:
    # The check above can tell: a bare development environment (a laptop) accepts the public secret.
    assert _verdict({}, monkeypatch) == ACCEPTS_FORGED


def test_the_image_refuses_to_start_until_tls_is_configured(monkeypatch: pytest.MonkeyPatch) -> None:
    assert _verdict(_dockerfile(), monkeypatch) == REFUSES_TO_START
    cert = {"SUBSHIFT_API_TLS_CERT": str(Path("/tls/tls.crt")), "SUBSHIFT_API_TLS_KEY": str(Path("/tls/tls.key"))}
    assert _verdict({**_dockerfile(), **cert}, monkeypatch) == REFUSES_FORGED
