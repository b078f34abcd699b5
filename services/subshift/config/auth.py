"""Authentication settings (``SUBSHIFT_AUTH_*``).

The development secret is a public value: it exists only in development mode. With
``production`` true and no secret set, HS* tokens have no key and are refused; the API's
start-up check (``subshift.api.production``) refuses weak secrets and plaintext.
"""

from __future__ import annotations

from typing import Self

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["DEVELOPMENT_SECRET", "AuthSettings"]

# Public on purpose (development only): anyone can sign with it, so production never uses it.
DEVELOPMENT_SECRET = "subshift-development-secret-change-me"  # noqa: S105  # a known value, not a credential


class AuthSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SUBSHIFT_AUTH_", extra="ignore")

    algorithms: list[str] = Field(default=["HS256"], description="Accepted JWT algorithms (allow-list).")
    hs256_secret: SecretStr | None = Field(
        default=SecretStr(DEVELOPMENT_SECRET),
        description="Shared secret for HS256 (development: a public default; production: none unless set).",
    )
    jwks_file: str | None = Field(default=None, description="JWKS file path for RS256/ES256 keys.")
    jwks_url: str | None = Field(default=None, description="JWKS URL for RS256/ES256 keys.")
    jwks_timeout_seconds: float = Field(default=3.0, gt=0, le=30, description="Longest a JWKS fetch may take.")
    unknown_kid_seconds: float = Field(
        default=60.0, ge=0, description="How long a kid missing from the JWKS is refused without refetching.")
    issuer: str = Field(default="subshift-dev", description="Required `iss`.")
    audience: str = Field(default="subshift", description="Required `aud`.")
    role_claim: str = Field(default="roles", description="Claim holding the caller's roles.")
    leeway_seconds: int = Field(default=30, ge=0, le=300, description="Clock leeway for exp/nbf/iat (at most 5 min).")
    max_lifetime_seconds: int = Field(
        default=86_400, ge=60, description="Tokens whose exp is further ahead than this are refused.")
    max_token_bytes: int = Field(default=8192, ge=256, description="Longer bearer tokens are refused unread.")
    production: bool = Field(
        default=False,
        description="Production mode: no development secret, `subshift token` refuses to mint, and the API "
                    "refuses to start with a weak HS* secret or without TLS.")

    @model_validator(mode="after")
    def _no_development_secret_in_production(self) -> Self:
        if self.production and "hs256_secret" not in self.model_fields_set:
            self.hs256_secret = None
        if self.hs256_secret is not None and not self.hs256_secret.get_secret_value():
            self.hs256_secret = None  # an empty secret (compose's unset variable) is no secret, never the key ""
        return self
