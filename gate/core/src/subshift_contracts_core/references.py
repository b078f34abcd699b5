"""Avro schema references: named types defined in other ``.avsc`` files, resolved offline.

A schema may use a named type (``"type": "com.acme.Address"``) that another file defines; the
manifest lists those files under ``references``, in the order they must be known. To check or
generate such a schema, the first use of each referenced name is replaced by its definition,
which is what the registry does when it resolves ``references``: the verdicts then come from
the ``avro`` package on the whole schema, and a change inside a referenced type is a change of
every schema that uses it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from subshift_contracts_core.errors import ContractError
from subshift_contracts_core.subjects import full_name

__all__ = ["inline_references"]

_NAMED = ("record", "error", "enum", "fixed")
_PRIMITIVES = {"null", "boolean", "int", "long", "float", "double", "bytes", "string"}


def inline_references(schema: Any, referenced: Sequence[Mapping[str, Any]], *, source: str,
                      require_use: bool = True) -> Any:
    """``schema`` with the first use of each referenced named type replaced by its definition.

    ``referenced`` are the referenced files' schemas, each one a named type; a referenced type may
    use types of files listed before it.

    Raises:
        ContractError: a referenced file is not a named type, or (``require_use``) is listed but never used.
    """
    definitions: dict[str, Any] = {}
    for document in referenced:
        name = full_name(dict(document))
        definitions[name] = _Inliner(definitions, set()).walk(document, _namespace_of(document, ""))
    inliner = _Inliner(definitions, set())
    resolved = inliner.walk(schema, "")
    unused = sorted(set(definitions) - inliner.used)
    if unused and require_use:
        raise ContractError(f"{source}: references {', '.join(unused)} but never uses them; "
                            "drop them from `references` or use the type")
    return resolved


class _Inliner:
    def __init__(self, definitions: Mapping[str, Any], defined: set[str]) -> None:
        self.definitions = definitions
        self.defined = defined  # names already defined in the output: later uses stay names
        self.used: set[str] = set()

    def walk(self, node: Any, namespace: str) -> Any:
        if isinstance(node, str):
            return self._name(node, namespace)
        if isinstance(node, list):
            return [self.walk(branch, namespace) for branch in node]
        if not isinstance(node, dict):
            return node
        copy = dict(node)
        kind = copy.get("type")
        if kind in _NAMED and isinstance(copy.get("name"), str):
            namespace = _namespace_of(copy, namespace)
            defined = full_name({"name": copy["name"], "namespace": namespace})
            self.defined.add(defined)
            if defined in self.definitions:
                self.used.add(defined)  # inlined already, inside another referenced type
        if isinstance(copy.get("fields"), list):
            copy["fields"] = [{**field, "type": self.walk(field.get("type"), namespace)} if isinstance(field, dict)
                              else field for field in copy["fields"]]
        for key in ("items", "values"):
            if key in copy:
                copy[key] = self.walk(copy[key], namespace)
        if isinstance(kind, dict | list) or (isinstance(kind, str) and kind not in (*_NAMED, "array", "map")):
            copy["type"] = self.walk(kind, namespace)
        return copy

    def _name(self, name: str, namespace: str) -> Any:
        if name in _PRIMITIVES:
            return name
        full = name if "." in name or not namespace else f"{namespace}.{name}"
        for candidate in (full, name):
            if candidate in self.definitions:
                self.used.add(candidate)
                if candidate in self.defined:
                    return candidate
                definition = dict(self.definitions[candidate])
                if "." not in candidate and namespace:
                    definition["namespace"] = ""  # keep its null namespace where it lands inside another
                # Walking it defines its own named types here too, so their later uses stay names.
                return self.walk(definition, "")
        return name


def _namespace_of(node: Mapping[str, Any], enclosing: str) -> str:
    name = str(node.get("name", ""))
    if "." in name:
        return name.rpartition(".")[0]
    return str(node.get("namespace", enclosing) or "")
