"""Retention settings (``SUBSHIFT_RETENTION_*``): how long a finished migration's items are kept."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["RetentionSettings"]


class RetentionSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SUBSHIFT_RETENTION_", extra="ignore")

    items_days: int = Field(
        default=90, ge=1,
        description="Days a finished migration's items are kept after it finished; `subshift db purge` then "
                    "drops them (the migration and its counts stay). Export results before: "
                    "`subshift migrate results ID -o FILE`.",
    )
