"""PostgreSQL settings (``SUBSHIFT_DATABASE_*``)."""

from __future__ import annotations

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["DatabaseSettings"]


class DatabaseSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SUBSHIFT_DATABASE_", extra="ignore")

    url: SecretStr = Field(
        default=SecretStr("postgresql+psycopg2://subshift:subshift@127.0.0.1:5433/subshift"),
        description="SQLAlchemy URL of Subshift's database (holds the password, so it is a secret).",
    )
    pool_size: int = Field(default=5, ge=1)

    def sqlalchemy_url(self) -> str:
        return self.url.get_secret_value()

    def libpq_dsn(self) -> str:
        """The same database as a plain libpq URL (for psycopg2 and psql)."""
        # SQLAlchemy is slow to import: only when asked (docs/performance/cli-lazy-imports.md).
        from sqlalchemy.engine import make_url

        return make_url(self.sqlalchemy_url()).set(drivername="postgresql").render_as_string(
            hide_password=False
        )

    def redacted(self) -> str:
        """The URL with its password hidden, fit for logs and status output."""
        from sqlalchemy.engine import make_url

        return make_url(self.sqlalchemy_url()).render_as_string(hide_password=True)
