"""Name the field a library location points at, and find its line in the schema file.

The ``avro`` package locates an incompatibility with a pointer into the reader schema such as
``/fields/4/type``. People think in field names, so we turn it into a JSON path of names
(``$.target_offer``, ``$.items[*].sku``, ``$.attributes.*``) and, for code-scanning tools, into
the line where that field is declared.
"""

from __future__ import annotations

import re
from typing import Any

from avro.schema import Schema

__all__ = ["field_name", "json_path", "line_of"]

# Segments after which the pointer names a property of the schema reached so far, not a child.
_TERMINAL = {"name", "size", "symbols"}


def json_path(reader: Schema, location: str) -> str:
    """The JSON path of names for ``location`` (a library pointer into ``reader``)."""
    path = "$"
    node: Any = reader
    segments = [s for s in location.split("/") if s]
    index = 0
    while index < len(segments):
        segment = segments[index]
        if segment in _TERMINAL or segment.isdigit():
            # A digit here is a branch number of the *writer's* union: the reader's path ends at the union.
            break
        if segment == "fields" and index + 1 < len(segments):
            field = node.fields[int(segments[index + 1])]
            path += f".{field.name}"
            node = field
            index += 2
            continue
        if segment == "type":
            node = node.type
        elif segment == "items":
            node, path = node.items, path + "[*]"
        elif segment == "values":
            node, path = node.values, path + ".*"
        else:
            break
        index += 1
    return path


def field_name(path: str) -> str:
    """The last field name in a JSON path (``$.a.b[*]`` → ``b``), or the root record marker ``$``."""
    names = [part for part in re.split(r"[.\[\]*]+", path) if part and part != "$"]
    return names[-1] if names else "$"


def line_of(text: str, path: str) -> int | None:
    """Line (1-based) where the innermost field of ``path`` is declared in ``text``, if it can be found.

    Fields are looked for in order, each after the previous one, so a field name used at two
    depths resolves to the one under the right parent.
    """
    position = 0
    found: int | None = None
    for name in [part for part in re.split(r"[.\[\]*]+", path) if part and part != "$"]:
        match = re.compile(r'"name"\s*:\s*"' + re.escape(name) + '"').search(text, position)
        if match is None:
            break
        position = match.end()
        found = text.count("\n", 0, match.start()) + 1
    return found
