"""The generator versions pinned in ``codegen/versions.toml``, checked against what is installed."""

from __future__ import annotations

import tomllib
from importlib import metadata
from pathlib import Path

from subshift.errors import ContractError

__all__ = ["check_pins", "read_pins"]


def read_pins(path: Path) -> dict[str, str]:
    """The ``[generators]`` table of the pins file: distribution name → exact version.

    Raises:
        ContractError: the file is missing, not TOML, or has no ``[generators]`` table of strings.
    """
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as error:
        raise ContractError(f"{path} does not exist; it pins the generator versions") from error
    except tomllib.TOMLDecodeError as error:
        raise ContractError(f"{path}: not valid TOML: {error}") from error
    table = raw.get("generators")
    if not isinstance(table, dict) or not all(isinstance(v, str) for v in table.values()):
        raise ContractError(f"{path}: expected a [generators] table of name = \"version\" strings")
    return {str(name): str(version) for name, version in table.items()}


def check_pins(path: Path) -> dict[str, str]:
    """Return the pins after checking that exactly those versions are installed.

    Raises:
        ContractError: a pinned generator is missing or installed at another version.
    """
    pins = read_pins(path)
    wrong: list[str] = []
    for name, wanted in sorted(pins.items()):
        try:
            installed = metadata.version(name)
        except metadata.PackageNotFoundError:
            installed = "not installed"
        if installed != wanted:
            wrong.append(f"{name} {installed} (pinned {wanted})")
    if wrong:
        raise ContractError(
            f"generator versions differ from {path}: {', '.join(wrong)}; "
            "install the locked ones with `scripts/bootstrap` (requirements/dev.txt pins them)"
        )
    return pins
