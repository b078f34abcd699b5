"""One typed settings object per process, built in its command and passed down.

Every section reads its own ``SUBSHIFT_<SECTION>_*`` environment variables; the
defaults match the local stack (``subshift stack up``). A ``SUBSHIFT_*`` variable no setting reads is
reported when settings load (``unknown_variables``): a warning, or an error in production mode.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from pydantic import Field, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from subshift.config.api import ApiSettings
from subshift.config.auth import AuthSettings
from subshift.config.consumer import ConsumerSettings
from subshift.config.database import DatabaseSettings
from subshift.config.ingest import IngestSettings
from subshift.config.kafka import KafkaSettings
from subshift.config.registry import RegistrySettings
from subshift.config.relay import RelaySettings
from subshift.config.retention import RetentionSettings
from subshift.config.stack import StackSettings
from subshift.config.tracing import TracingSettings
from subshift.config.unknown_variables import known_variables, unknown_variables
from subshift.errors import ContractError

__all__ = [
    "ApiSettings",
    "AuthSettings",
    "ConsumerSettings",
    "DatabaseSettings",
    "IngestSettings",
    "KafkaSettings",
    "RegistrySettings",
    "RelaySettings",
    "RetentionSettings",
    "Settings",
    "StackSettings",
    "TracingSettings",
    "load_settings",
]

_log = logging.getLogger(__name__)


class Settings(BaseSettings):
    """All of Subshift's settings; sections nest by concern."""

    model_config = SettingsConfigDict(env_prefix="SUBSHIFT_", extra="ignore")

    state_dir: Path = Field(default=Path(".subshift"), description="Local stack data, logs and pids.")
    kafka: KafkaSettings = Field(default_factory=KafkaSettings)
    registry: RegistrySettings = Field(default_factory=RegistrySettings)
    database: DatabaseSettings = Field(default_factory=DatabaseSettings)
    api: ApiSettings = Field(default_factory=ApiSettings)
    auth: AuthSettings = Field(default_factory=AuthSettings)
    ingest: IngestSettings = Field(default_factory=IngestSettings)
    relay: RelaySettings = Field(default_factory=RelaySettings)
    consumer: ConsumerSettings = Field(default_factory=ConsumerSettings)
    retention: RetentionSettings = Field(default_factory=RetentionSettings)
    stack: StackSettings = Field(default_factory=StackSettings)
    tracing: TracingSettings = Field(default_factory=TracingSettings)


def load_settings() -> Settings:
    """Read settings from the environment (and nothing else), reporting ``SUBSHIFT_*`` variables none reads.

    An unknown variable is logged as a warning naming the closest known setting; in production mode
    (``SUBSHIFT_AUTH_PRODUCTION=true``) it stops the process instead.

    Raises:
        ContractError: a ``SUBSHIFT_*`` variable holds a value its setting cannot take, or, in production
            mode, a ``SUBSHIFT_*`` variable is not a setting.
    """
    try:
        settings = Settings()
    except ValidationError as error:
        problems = "; ".join(f"{'.'.join(str(part) for part in item['loc'])}: {item['msg']}"
                             for item in error.errors())
        raise ContractError(f"invalid settings from the environment: {problems}") from None
    unknown = unknown_variables(os.environ, known_variables(Settings))
    if unknown and settings.auth.production:
        raise ContractError("unknown settings in production mode (SUBSHIFT_AUTH_PRODUCTION=true): "
                            + "; ".join(str(variable) for variable in unknown))
    for variable in unknown:
        _log.warning("%s; it is ignored", variable)
    return settings
