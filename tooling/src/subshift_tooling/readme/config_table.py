"""The configuration table: one row per environment variable, from the settings classes."""

from __future__ import annotations

from pathlib import Path

from pydantic import SecretStr
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined
from pydantic_settings import BaseSettings
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from subshift.config import Settings

__all__ = ["config_table"]


def _shown_default(info: FieldInfo) -> str:
    if info.default_factory is not None:
        value = info.default_factory()  # type: ignore[call-arg]  # settings factories take no arguments
    elif info.default is PydanticUndefined:
        return "(required)"
    else:
        value = info.default
    if value is None:
        return "(unset)"
    if isinstance(value, SecretStr):
        secret = value.get_secret_value()
        try:
            return f"`{make_url(secret).render_as_string(hide_password=True)}`"
        except ArgumentError:
            return "(a development value)"
    if isinstance(value, Path):
        home = str(Path.home())
        text = str(value)
        value = "~" + text[len(home):] if text.startswith(home) else text
    if isinstance(value, list | tuple):
        value = ",".join(str(item) for item in value)
    if isinstance(value, bool):
        value = str(value).lower()
    return f"`{value}`" if str(value) else '`""`'


def _rows(section: type[BaseSettings], prefix: str) -> list[str]:
    rows = []
    for name, info in section.model_fields.items():
        annotation = info.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseSettings):
            nested_prefix = str(annotation.model_config.get("env_prefix", f"{prefix}{name.upper()}_"))
            rows.extend(_rows(annotation, nested_prefix))
            continue
        meaning = (info.description or "").replace("|", "\\|")
        rows.append(f"| `{prefix}{name.upper()}` | {_shown_default(info)} | {meaning} |")
    return rows


def config_table(settings: type[BaseSettings] = Settings) -> str:
    """A Markdown table of every setting: variable, default, meaning."""
    prefix = str(settings.model_config.get("env_prefix", ""))
    lines = ["| variable | default | meaning |", "|---|---|---|", *_rows(settings, prefix)]
    return "\n".join(lines) + "\n"
