"""CSV ingestion settings (``SUBSHIFT_INGEST_*``): the limits an upload must stay within."""

from __future__ import annotations

import re

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["IngestSettings"]


class IngestSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SUBSHIFT_INGEST_", extra="ignore")

    # 20M: a 10M-row upload is one command. The API streams an upload (its memory stays flat: the bench's
    # dry run of 10M rows peaks at about 140 MB), so the cap guards the database's time, not the API's memory.
    max_rows: int = Field(
        default=20_000_000, ge=1, description="Most data rows in one upload; more refuses the whole upload."
    )
    max_line_chars: int = Field(
        default=16_384, ge=64, description="Longest physical line of the CSV; longer refuses the upload."
    )
    max_field_chars: int = Field(
        default=4_096, ge=64, description="Longest field (quoted fields may span lines); longer refuses the upload."
    )
    max_upload_bytes: int = Field(
        default=1024 * 1024 * 1024, ge=1024,
        description="Most bytes of CSV in one upload; more refuses the whole upload.")
    max_rejected_spool_bytes: int = Field(
        default=256 * 1024 * 1024, ge=1024,
        description="Most bytes of rejected rows one upload may spool to disk while it is checked; more refuses "
                    "the upload (the API's temporary volume must hold this for each upload in progress).")
    max_reported_violations: int = Field(
        default=100, ge=1, le=1000, description="Row violations returned to the caller (the total is always given)."
    )
    user_id_pattern: str = Field(
        default=r"[A-Za-z0-9][A-Za-z0-9_.:@-]{0,63}",
        description="What a user id looks like (the whole value must match).",
    )

    @field_validator("user_id_pattern")
    @classmethod
    def _compiles(cls, pattern: str) -> str:
        # A typo in the pattern must stop the server at start-up, not fail every upload later.
        try:
            re.compile(pattern)
        except re.error as error:
            raise ValueError(f"user_id_pattern is not a regular expression: {error}") from error
        return pattern
