"""Hypothesis strategies for Avro schemas and their evolutions.

``schemas()`` draws a record with primitive, enum, fixed, array, map, union and nested-record
fields; ``evolutions()`` draws a sequence of versions, each made from the previous one by one
to three changes people really make: add, remove or rename a field (with or without default,
alias), change or promote a type, make a field optional or required, add or remove enum
symbols, resize a fixed, rename a named type (with or without alias), widen or narrow a union.
Every drawn schema is valid Avro with valid defaults.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from hypothesis import strategies as st

__all__ = ["evolutions", "schemas"]

Json = Any
PRIMITIVES = ["boolean", "int", "long", "float", "double", "bytes", "string"]
PROMOTIONS = {"int": ["long", "float", "double"], "long": ["float", "double"], "float": ["double"],
              "string": ["bytes"], "bytes": ["string"]}
SYMBOLS = ["RED", "GREEN", "BLUE", "CYAN"]


def default_for(t: Json) -> Json:
    if isinstance(t, list):
        return default_for(t[0])
    if isinstance(t, str):
        return {"null": None, "boolean": False, "int": 0, "long": 0, "float": 0.0, "double": 0.0,
                "bytes": "", "string": ""}[t]
    kind = t["type"]
    if kind == "enum":
        return t["symbols"][0]
    if kind == "fixed":
        return "\u0000" * t["size"]
    if kind == "record":
        return {f["name"]: default_for(f["type"]) for f in t["fields"]}
    return [] if kind == "array" else {}


def _names(node: Json) -> set[str]:
    """Every named type's name in ``node``."""
    if isinstance(node, list):
        return set().union(*(_names(n) for n in node)) if node else set()
    if not isinstance(node, dict):
        return set()
    found = {node["name"]} if node.get("type") in ("record", "enum", "fixed") else set()
    for key in ("fields", "items", "values", "type"):
        if key in node and not isinstance(node[key], str):
            found |= _names(node[key])
    return found


def _fresh(root: Json, prefix: str) -> str:
    # Types drawn but not yet attached to ``root`` are remembered in its "_drawn" list.
    taken = _names(root) | set(root.setdefault("_drawn", []))
    name = next(f"{prefix}{i}" for i in range(1, 1000) if f"{prefix}{i}" not in taken)
    root["_drawn"].append(name)
    return name


def _finished(root: Json) -> Json:
    root.pop("_drawn", None)
    return root


@st.composite
def field_type(draw: st.DrawFn, root: Json, *, nested: bool = True) -> Json:
    kind = draw(st.sampled_from(["prim", "prim", "prim", "enum", "fixed", "array", "map", "optional", "union"]
                                + (["record"] if nested else [])))
    prim = st.sampled_from(PRIMITIVES)
    if kind == "prim":
        return draw(prim)
    if kind == "enum":
        enum: Json = {"type": "enum", "name": _fresh(root, "Colour"),
                      "symbols": SYMBOLS[: draw(st.integers(1, len(SYMBOLS)))]}
        if draw(st.booleans()):
            enum["default"] = enum["symbols"][0]
        return enum
    if kind == "fixed":
        return {"type": "fixed", "name": _fresh(root, "Hash"), "size": draw(st.integers(1, 4))}
    if kind == "array":
        return {"type": "array", "items": draw(prim)}
    if kind == "map":
        return {"type": "map", "values": draw(prim)}
    if kind == "optional":
        return ["null", draw(prim)]
    if kind == "union":
        return draw(st.lists(prim, min_size=2, max_size=3, unique=True))
    record: Json = {"type": "record", "name": _fresh(root, "Part"), "fields": []}
    for index in range(draw(st.integers(1, 3))):
        record["fields"].append(draw(field(root, f"p{index}", nested=False)))
    return record


@st.composite
def field(draw: st.DrawFn, root: Json, name: str, *, nested: bool = True) -> Json:
    t = draw(field_type(root, nested=nested))
    made: Json = {"name": name, "type": t}
    if draw(st.booleans()):
        made["default"] = default_for(t)
    return made


@st.composite
def schemas(draw: st.DrawFn) -> Json:
    root: Json = {"type": "record", "name": "Event", "namespace": "io.subshift.drill", "fields": []}
    for index in range(draw(st.integers(1, 5))):
        root["fields"].append(draw(field(root, f"f{index}")))
    return _finished(root)


def _records(node: Json) -> list[Json]:
    if isinstance(node, list):
        return [r for n in node for r in _records(n)]
    if not isinstance(node, dict):
        return []
    own = [node] if node.get("type") == "record" else []
    return own + [r for key in ("fields", "items", "values", "type") if key in node for r in _records(node[key])]


def _of_type(root: Json, kind: str) -> list[Json]:
    found: list[Json] = []

    def walk(node: Json) -> None:
        if isinstance(node, list):
            for n in node:
                walk(n)
        elif isinstance(node, dict):
            if node.get("type") == kind:
                found.append(node)
            for key in ("fields", "items", "values", "type"):
                if key in node and not isinstance(node[key], str):
                    walk(node[key])

    walk(root)
    return found


@st.composite
def _change(draw: st.DrawFn, root: Json) -> None:
    """Change ``root`` in place, one way."""
    record = draw(st.sampled_from(_records(root)))
    fields = record["fields"]
    target = draw(st.sampled_from(fields))
    choice = draw(st.sampled_from(sorted(_CHANGES)))
    _CHANGES[choice](draw, root, record, fields, target)


def _add(draw: st.DrawFn, root: Json, record: Json, fields: list[Json], target: Json) -> None:
    names = {f["name"] for f in fields}
    fields.append(draw(field(root, next(f"n{i}" for i in range(99) if f"n{i}" not in names),
                             nested=record is root)))


def _remove(draw: st.DrawFn, root: Json, record: Json, fields: list[Json], target: Json) -> None:
    if len(fields) > 1:
        fields.remove(target)


def _rename(draw: st.DrawFn, root: Json, record: Json, fields: list[Json], target: Json) -> None:
    old = target["name"]
    target["name"] = old + "x"
    if draw(st.booleans()):
        target["aliases"] = [old]


def _retype(draw: st.DrawFn, root: Json, record: Json, fields: list[Json], target: Json) -> None:
    current = target["type"]
    if isinstance(current, str) and current in PROMOTIONS and draw(st.booleans()):
        target["type"] = draw(st.sampled_from(PROMOTIONS[current]))
    else:
        target["type"] = draw(field_type(root, nested=False))
    if "default" in target:
        target["default"] = default_for(target["type"])


def _toggle_default(draw: st.DrawFn, root: Json, record: Json, fields: list[Json], target: Json) -> None:
    if "default" in target:
        del target["default"]
    else:
        target["default"] = default_for(target["type"])


def _optionality(draw: st.DrawFn, root: Json, record: Json, fields: list[Json], target: Json) -> None:
    t = target["type"]
    if isinstance(t, list) and t[0] == "null" and len(t) == 2:
        target["type"] = t[1]
        target.pop("default", None)
    else:
        target["type"] = ["null", t] if not isinstance(t, list) else ["null", *[b for b in t if b != "null"]]
        target["default"] = None


def _enum(draw: st.DrawFn, root: Json, record: Json, fields: list[Json], target: Json) -> None:
    enums = _of_type(root, "enum")
    if not enums:
        return
    enum = draw(st.sampled_from(enums))
    action = draw(st.sampled_from(["add", "drop", "default"]))
    missing = [s for s in SYMBOLS if s not in enum["symbols"]]
    if action == "add" and missing:
        enum["symbols"].append(missing[0])
    elif action == "drop" and len(enum["symbols"]) > 1:
        enum["symbols"].pop()
        if enum.get("default") not in enum["symbols"]:
            enum.pop("default", None)
    elif action == "default":
        if "default" in enum:
            del enum["default"]
        else:
            enum["default"] = enum["symbols"][0]
    _repair_defaults(root)


def _resize(draw: st.DrawFn, root: Json, record: Json, fields: list[Json], target: Json) -> None:
    fixed = _of_type(root, "fixed")
    if fixed:
        chosen = draw(st.sampled_from(fixed))
        chosen["size"] += draw(st.sampled_from([-1, 1])) if chosen["size"] > 1 else 1
        _repair_defaults(root)


def _rename_type(draw: st.DrawFn, root: Json, record: Json, fields: list[Json], target: Json) -> None:
    named = _of_type(root, "enum") + _of_type(root, "fixed") + [r for r in _records(root) if r is not root]
    if not named:
        return
    node = draw(st.sampled_from(named))
    old = node["name"]
    node["name"] = _fresh(root, old.rstrip("0123456789") + "Renamed")
    alias = draw(st.sampled_from(["none", "full", "relative"]))
    if alias != "none":
        # The Avro specification allows either form; a relative alias is read in the type's namespace.
        node["aliases"] = [f"{root['namespace']}.{old}" if alias == "full" else old]


def _union(draw: st.DrawFn, root: Json, record: Json, fields: list[Json], target: Json) -> None:
    t = target["type"]
    if not isinstance(t, list):
        return
    others = [p for p in [*PRIMITIVES, "null"] if p not in t]
    if draw(st.booleans()) and others:
        t.append(draw(st.sampled_from(others)))
    elif len(t) > 2:
        t.pop()


_CHANGES: dict[str, Callable[..., None]] = {
    "add": _add, "remove": _remove, "rename": _rename, "retype": _retype, "toggle_default": _toggle_default,
    "optionality": _optionality, "enum": _enum, "resize": _resize, "rename_type": _rename_type, "union": _union,
}


def _repair_defaults(root: Json) -> None:
    """After an enum or fixed changed, fields that default to it get a default that is still valid."""
    for record in _records(root):
        for f in record["fields"]:
            if "default" in f:
                f["default"] = default_for(f["type"])


@st.composite
def evolve(draw: st.DrawFn, previous: Json) -> Json:
    schema = copy.deepcopy(previous)
    for _ in range(draw(st.integers(1, 3))):
        draw(_change(schema))
        # A field renamed, retyped or removed inside a record changes what a default of that record must hold.
        _repair_defaults(schema)
    return _finished(schema)


@st.composite
def evolutions(draw: st.DrawFn, versions: int = 2) -> list[Json]:
    """``versions`` schemas, oldest first, each evolved from the one before."""
    chain = [draw(schemas())]
    while len(chain) < versions:
        chain.append(draw(evolve(chain[-1])))
    return chain
