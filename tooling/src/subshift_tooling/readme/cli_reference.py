"""The CLI reference: every command's usage, help and options, from the commands themselves.

Typer builds Click-style command objects (its own vendored copy of Click), read here by their
documented attributes (``params``, ``commands``, ``help``, ``opts``, ``envvar``…).
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import typer

__all__ = ["cli_reference"]

_MARKUP = re.compile(r"\[/?(?:bold|dim|red|green|yellow|cyan|magenta|italic)[^\]]*\]")


def _plain(text: str | None) -> str:
    return _MARKUP.sub("", inspect.cleandoc(text or "")).strip()


def _walk(command: Any, path: list[str]) -> Iterator[tuple[list[str], Any]]:
    if getattr(command, "hidden", False):
        return
    yield path, command
    if hasattr(command, "commands"):
        for name, sub in command.commands.items():
            yield from _walk(sub, [*path, name])


def _default(param: Any) -> str:
    if getattr(param, "is_flag", False) and not param.secondary_opts:
        return ""
    if param.required or param.default is None or getattr(param, "show_default", None) is False:
        return ""
    value = param.default() if callable(param.default) else param.default
    if isinstance(value, Path) and str(value).startswith(str(Path.home())):
        value = "~" + str(value)[len(str(Path.home())):]
    if isinstance(value, bool):
        return ""
    text = value.value if hasattr(value, "value") else value
    return f"`{text}`" if str(text) != "" else ""


def _option_rows(command: Any) -> list[str]:
    rows = []
    for param in command.params:
        if param.param_type_name != "option" or param.hidden or param.name == "help":
            continue
        names = ", ".join(f"`{name}`" for name in [*param.opts, *param.secondary_opts])
        env = param.envvar if isinstance(param.envvar, str) else ", ".join(param.envvar or ())
        help_text = _plain(param.help).replace("|", "\\|").replace("\n", " ")
        rows.append(f"| {names} | {f'`{env}`' if env else ''} | {_default(param)} | {help_text} |")
    return rows


def _usage(command: Any, path: list[str]) -> str:
    pieces = [" ".join(path), "[OPTIONS]"]
    for param in command.params:
        if param.param_type_name == "argument":
            name = (param.metavar or param.name or "").upper()
            pieces.append(name if param.required else f"[{name}]")
    if hasattr(command, "commands"):
        pieces.append("COMMAND [ARGS]...")
    return " ".join(pieces)


def _section(path: list[str], command: Any) -> str:
    depth = "##" if len(path) <= 2 else "###"  # under the page's own title
    lines = [f"{depth} `{' '.join(path)}`", "", _plain(command.help or command.short_help), ""]
    if getattr(command, "epilog", None):
        lines += [_plain(command.epilog), ""]
    lines += ["```", _usage(command, path), "```", ""]
    if hasattr(command, "commands"):
        listed = [f"`{name}`" for name, sub in command.commands.items() if not getattr(sub, "hidden", False)]
        lines += [f"Commands: {', '.join(listed)}.", ""]
    rows = _option_rows(command)
    if rows:
        lines += ["| option | env | default | meaning |", "|---|---|---|---|", *rows, ""]
    return "\n".join(lines)


def cli_reference(app: typer.Typer) -> str:
    """Markdown for every visible command under ``app``, depth-first in registration order."""
    root = typer.main.get_command(app)
    sections = [_section(path, command) for path, command in _walk(root, ["subshift"]) if len(path) > 1]
    return "\n".join(sections)
