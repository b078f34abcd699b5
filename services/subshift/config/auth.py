"""Authentication settings (``SUBSHIFT_AUTH_*``)."""

from __future__ import annotations

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["AuthSettings"]


class AuthSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SUBSHIFT_AUTH_", extra="ignore")

    algorithms: list[str] = Field(default=["HS256"], description="Accepted JWT algorithms (allow-list).")
    hs256_secret: SecretStr | None = Field(
        default=SecretStr("subshift-development-secret-change-me"),
        description="Shared secret for HS256 (development).",
    )
    jwks_file: str | None = Field(default=None, description="JWKS file path for RS256/ES256 keys.")
    jwks_url: str | None = Field(default=None, description="JWKS URL for RS256/ES256 keys.")
    issuer: str = Field(default="subshift-dev", description="Required `iss`.")
    audience: str = Field(default="subshift", description="Required `aud`.")
    role_claim: str = Field(default="roles", description="Claim holding the caller's roles.")
    leeway_seconds: int = Field(default=30, ge=0, description="Clock leeway for exp/nbf/iat.")
    max_token_bytes: int = Field(default=8192, ge=256, description="Longer bearer tokens are refused unread.")
    production: bool = Field(default=False, description="When true, `subshift token` refuses to mint.")
