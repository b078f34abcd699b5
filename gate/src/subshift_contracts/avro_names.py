"""Qualify relative type aliases before the ``avro`` package sees a schema.

The Avro specification (Schema Resolution → Aliases): "A type alias may be specified either as a
fully namespace-qualified, or relative to the namespace of the name it is an alias for. For
example, if a type named "a.b" has aliases of "c" and "x.y", then the fully qualified names of its
aliases are "a.c" and "x.y"." The Python ``avro`` package compares aliases with the writer's full
name as written, so a relative alias never matches and a correct rename is reported as
NAME_MISMATCH (Java Avro, and so the registry, qualify it). Writing every alias out in full is
name resolution as the specification defines it, not schema resolution: the verdict stays the
library's. Field aliases have no namespace and are left alone.
"""

from __future__ import annotations

from typing import Any

__all__ = ["qualify_aliases"]

_NAMED = ("record", "error", "enum", "fixed")


def qualify_aliases(node: Any, enclosing: str = "") -> Any:
    """A copy of schema JSON ``node`` whose named types list their aliases as full names."""
    if isinstance(node, list):
        return [qualify_aliases(branch, enclosing) for branch in node]
    if not isinstance(node, dict):
        return node
    copy = dict(node)
    namespace = enclosing
    if copy.get("type") in _NAMED and isinstance(copy.get("name"), str):
        name: str = copy["name"]
        namespace = name.rpartition(".")[0] if "." in name else str(copy.get("namespace", enclosing) or "")
        aliases = copy.get("aliases")
        if isinstance(aliases, list) and namespace:
            copy["aliases"] = [a if not isinstance(a, str) or "." in a else f"{namespace}.{a}" for a in aliases]
    for key in ("fields", "items", "values"):
        if key in copy:
            copy[key] = qualify_aliases(copy[key], namespace)
    if isinstance(copy.get("type"), dict | list):
        # a field, or a schema wrapped as {"type": {...}}: the type sits one level down
        copy["type"] = qualify_aliases(copy["type"], namespace)
    return copy
