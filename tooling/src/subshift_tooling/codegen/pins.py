"""The generator versions pinned in ``codegen/versions.toml``, checked against the generators' own venv."""

from __future__ import annotations

import json
import subprocess
import tomllib
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


def check_pins(path: Path, toolchain: Path) -> dict[str, str]:
    """Return the pins after checking that exactly those versions are installed for ``toolchain``.

    ``toolchain`` is the Python of the generators' own venv (``.venv/codegen``, made by scripts/bootstrap
    from requirements/codegen.txt).

    Raises:
        ContractError: the toolchain is missing, or a pinned generator is missing or at another version.
    """
    pins = read_pins(path)
    installed = _installed_versions(toolchain, sorted(pins))
    wrong = [f"{name} {installed.get(name) or 'not installed'} (pinned {wanted})"
             for name, wanted in sorted(pins.items()) if installed.get(name) != wanted]
    if wrong:
        raise ContractError(
            f"generator versions in {toolchain.parent.parent} differ from {path}: {', '.join(wrong)}; "
            "install the locked ones with `scripts/bootstrap` (requirements/codegen.txt pins them)"
        )
    return pins


def _installed_versions(toolchain: Path, names: list[str]) -> dict[str, str | None]:
    if not toolchain.exists():
        raise ContractError(
            f"the generators' venv is missing ({toolchain} does not exist); make it with `scripts/bootstrap`"
        )
    done = subprocess.run([toolchain, "-c", _VERSIONS, *names], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise ContractError(f"{toolchain} could not report the generator versions: {done.stderr.strip()}")
    versions: dict[str, str | None] = json.loads(done.stdout)
    return versions


# Run by the toolchain's Python: the installed version of each named distribution, or null.
_VERSIONS = """
import json, sys
from importlib import metadata
def version(name):
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None
print(json.dumps({name: version(name) for name in sys.argv[1:]}))
"""
