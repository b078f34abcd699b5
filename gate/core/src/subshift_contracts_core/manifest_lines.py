"""Manifest errors that name the line: pydantic's error locations mapped back onto the YAML text."""

from __future__ import annotations

from pathlib import Path

import yaml
from pydantic import ValidationError

__all__ = ["describe_errors"]


def describe_errors(path: Path, text: str, error: ValidationError) -> str:
    """One readable line per problem: ``<file>:<line>: <where>: <what>``."""
    try:
        tree = yaml.compose(text)
    except yaml.YAMLError:
        tree = None
    lines = []
    for problem in error.errors(include_url=False):
        loc = tuple(problem["loc"])
        where = ".".join(str(part) for part in loc) or "top level"
        message = str(problem["msg"]).removeprefix("Value error, ")
        lines.append(f"{path}:{_line(tree, loc)}: {where}: {message}")
    return "; ".join(lines)


def _line(node: yaml.Node | None, loc: tuple[int | str, ...]) -> int:
    """The 1-based line of the node at ``loc``, or of its nearest ancestor that exists (a missing key)."""
    if node is None:
        return 1
    line = node.start_mark.line + 1
    for part in loc:
        child = _child(node, part)
        if child is None:
            break
        node = child
        line = node.start_mark.line + 1
    return line


def _child(node: yaml.Node, part: int | str) -> yaml.Node | None:
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if key.value == part:
                found: yaml.Node = value
                return found
        return None
    if isinstance(node, yaml.SequenceNode) and isinstance(part, int) and 0 <= part < len(node.value):
        child: yaml.Node = node.value[part]
        return child
    return None
