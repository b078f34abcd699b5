"""Avro schemas named in the manifest → typed, frozen dataclasses (one module per schema file).

Each top-level record class carries its schema (``SCHEMA`` parsed, ``SCHEMA_JSON`` compact text,
``FULL_NAME``) and converts to and from the datum dicts fastavro and confluent-kafka's serdes
use (``to_dict``/``from_dict``). Beside each class, ``<Record>Datum`` types the same datum with
logical values as primitives, for hot loops that skip the dataclass (the fast codec's
``encode_datum``/``decode_datum``). Type mapping rules are in ``subshift_tooling.codegen.avro_types``.
"""

from __future__ import annotations

import keyword
import pprint
from pathlib import PurePosixPath
from typing import Any

from subshift.contracts_manifest import Manifest
from subshift.errors import ContractError
from subshift_tooling.codegen.avro_types import DATUM_SUFFIX, PyType, map_type
from subshift_tooling.codegen.render import Output, docstring, module_docstring

__all__ = ["record_module_name", "render_records"]


def record_module_name(schema_file: str) -> str:
    """``avro/user_offer_migration_requested.avsc`` → ``user_offer_migration_requested``."""
    return PurePosixPath(schema_file).stem


def render_records(manifest: Manifest) -> Output:
    """``records/<schema>.py`` for each distinct value schema, and ``records/__init__.py`` naming them all.

    Raises:
        ContractError: a schema is unreadable, not a record, or uses a type the generator refuses.
    """
    files: Output = {}
    exports: list[tuple[str, str]] = []
    for topic in manifest.avro_topics:
        schema_file = topic.value.schema_file or ""
        module = record_module_name(schema_file)
        if any(m == module for m, _ in exports):
            continue
        schema = manifest.resolved_value_schema(topic)  # types from referenced files become nested records
        if schema.get("type") != "record":
            raise ContractError(f"contracts/{schema_file}: the top-level type must be a record")
        files[PurePosixPath(f"records/{module}.py")] = _render_module(schema, f"contracts/{schema_file}")
        exports.append((module, str(schema["name"])))
    init = [module_docstring("Typed Avro records, one class per value schema in the manifest.",
                             "contracts/subjects.yaml"), "from __future__ import annotations", ""]
    names = sorted((m, n) for m, c in exports for n in (c, c + DATUM_SUFFIX))
    init += [f"from subshift_client._generated.records.{m} import {n} as {n}" for m, n in names]
    init += ["", "__all__ = [" + ", ".join(repr(n) for _, n in names) + "]", ""]
    files[PurePosixPath("records/__init__.py")] = "\n".join(init)
    return files


def _render_module(schema: dict[str, Any], source: str) -> str:
    named: dict[str, str] = {}
    classes: list[str] = []
    _render_record(schema, str(schema["name"]), named, classes, top=True)
    body = "\n\n".join(classes)
    imports = ["import datetime", "import uuid", "from collections.abc import Mapping",
               "from dataclasses import dataclass"]
    imports.append("from typing import Any, ClassVar, Literal, TypedDict" if "Literal[" in body else
                   "from typing import Any, ClassVar, TypedDict")
    exported = sorted(n for c in named.values() for n in (c, c + DATUM_SUFFIX))
    return "\n".join([
        module_docstring(f"The Avro record ``{schema['name']}`` and the records nested in it.", source),
        "from __future__ import annotations", "", *imports, "",
        "from subshift_client import avro_runtime as _rt", "",
        f"__all__ = [{', '.join(repr(n) for n in exported)}]", "",
        f"_SCHEMA: dict[str, Any] = {pprint.pformat(schema, sort_dicts=False, width=100)}", "", "",
        body,
    ])


def _render_record(schema: dict[str, Any], path: str, named: dict[str, str], out: list[str], *, top: bool) -> None:
    full_name = f"{schema['namespace']}.{schema['name']}" if schema.get("namespace") else str(schema["name"])
    cls = named.setdefault(full_name, str(schema["name"]))
    fields: list[tuple[str, str, PyType, dict[str, Any]]] = []
    for field in schema["fields"]:
        name = str(field["name"])
        py_type = map_type(field["type"], f"{path}.{name}", named)
        for nested in py_type.records:
            _render_record(nested, f"{path}.{name}", named, out, top=False)
        fields.append((name, name + "_" if keyword.iskeyword(name) else name, py_type, field))
    lines = ["@dataclass(frozen=True, slots=True, kw_only=True)", f"class {cls}:",
             *docstring(f"{schema.get('doc', cls)} Avro record ``{full_name}``.", "    "), ""]
    if top:
        lines += ["    SCHEMA: ClassVar[dict[str, Any]] = _SCHEMA",
                  "    SCHEMA_JSON: ClassVar[str] = _rt.schema_json(_SCHEMA)"]
    lines += [f"    FULL_NAME: ClassVar[str] = {full_name!r}", ""]
    for name, attr, py_type, field in sorted(fields, key=lambda f: "default" in f[3]):
        default = f" = {_default(py_type, field['default'])}" if "default" in field else ""
        lines += [f"    {attr}: {py_type.annotation}{default}", *docstring(str(field.get("doc", name)), "    "), ""]
    aware = [attr for _, attr, py_type, _ in fields if py_type.aware_datetime]
    if aware:
        lines += ["    def __post_init__(self) -> None:"]
        lines += [f"        _rt.require_aware(self.{attr}, {attr!r})" for attr in aware] + [""]
    lines += ["    def to_dict(self) -> dict[str, Any]:",
              '        """The Avro datum: what fastavro and confluent-kafka\'s AvroSerializer write."""',
              "        return {"]
    lines += [f"            {name!r}: {py_type.write(f'self.{attr}')}," for name, attr, py_type, _ in fields]
    lines += ["        }", "", "    @classmethod", f"    def from_dict(cls, data: Mapping[str, Any]) -> {cls}:",
              '        """Build from an Avro datum (a reader\'s output) or an equivalent plain mapping."""',
              "        return cls("]
    for name, attr, py_type, field in fields:
        if "default" in field:
            value = f"data.get({name!r}, {_default(py_type, field['default'])})"
        else:
            value = f"data[{name!r}]"
        lines.append(f"            {attr}={py_type.read(value)},")
    lines += ["        )", ""]
    out.append("\n".join(lines))
    out.append(_render_datum(cls, fields))


def _render_datum(cls: str, fields: list[tuple[str, str, PyType, dict[str, Any]]]) -> str:
    datum = cls + DATUM_SUFFIX
    summary = (f"``{cls}`` as an Avro datum with logical values as primitives (a UUID's text, epoch "
               "milliseconds): what ``encode_datum`` takes and ``decode_datum`` gives.")
    if any(keyword.iskeyword(name) for name, *_ in fields):  # not valid in a class body
        entries = ", ".join(f"{name!r}: {py_type.wire_annotation!r}" for name, _, py_type, _ in fields)
        return f"# {summary}\n{datum} = TypedDict({datum!r}, {{{entries}}})\n"
    lines = [f"class {datum}(TypedDict):", *docstring(summary, "    "), ""]
    lines += [f"    {name}: {py_type.wire_annotation}" for name, _, py_type, _ in fields]
    return "\n".join([*lines, ""])


def _default(py_type: PyType, value: Any) -> str:
    # Avro defaults are JSON; convert through the same reader the field uses.
    if value is None:
        return "None"
    return py_type.read(repr(tuple(value) if isinstance(value, list) else value))
