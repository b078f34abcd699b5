"""What every generated file shares: the do-not-edit header, names, and the output map.

The generator builds its whole output in memory as ``{relative path: text}`` first; writing
and ``--check`` comparison both work on that map, so the two can never disagree.
"""

from __future__ import annotations

import re
import textwrap
from pathlib import PurePosixPath

__all__ = ["GENERATED_NOTE", "Output", "camel_to_upper_snake", "docstring", "header", "module_docstring"]

Output = dict[PurePosixPath, str]

GENERATED_NOTE = "Generated, do not edit; run `subshift contracts generate`."


def header(source: str) -> str:
    """The comment block that opens every generated ``.py``/``.pyi`` file."""
    return f"# {GENERATED_NOTE}\n# Source: {source}\n"


def module_docstring(summary: str, source: str) -> str:
    """Header plus a module docstring, for files the generator renders itself."""
    return f'{header(source)}"""{summary}\n\n{GENERATED_NOTE}\n"""\n'


_CAMEL_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")


def camel_to_upper_snake(name: str) -> str:
    """``MigrationService`` → ``MIGRATION_SERVICE``; ``user-offers.DLT`` → ``USER_OFFERS_DLT``."""
    snake = _CAMEL_BOUNDARY.sub("_", name)
    return re.sub(r"[^0-9A-Za-z]+", "_", snake).strip("_").upper()


def docstring(text: str, indent: str, *, width: int = 100) -> list[str]:
    """Lines of a triple-quoted docstring for ``text``, wrapped and escaped, at ``indent``."""
    safe = text.replace("\\", "\\\\").replace('"""', '\\"\\"\\"')
    lines = textwrap.wrap(safe, width=width - len(indent) - 3) or [""]
    if len(lines) == 1:
        return [f'{indent}"""{lines[0]}"""']
    return [f'{indent}"""{lines[0]}', *(f"{indent}{line}" for line in lines[1:]), f'{indent}"""']
