"""Avro types → Python annotations and the conversions between them and Avro datums.

| Avro | Python field | ``to_dict`` writes | ``from_dict`` accepts |
|---|---|---|---|
| null, boolean, int/long, float/double, bytes, string | ``None``, bool, int, float, bytes, str | as is | as is |
| string + uuid | ``uuid.UUID`` | ``UUID`` (fastavro writes its string form) | UUID or str |
| long + timestamp-millis / -micros | aware ``datetime`` (UTC) | the datetime | datetime or epoch int |
| int + date | ``datetime.date`` | the date | date or days since epoch |
| enum | ``str`` (``Literal`` of its symbols) | as is | as is |
| ``["null", T]`` | ``T | None`` | per T | per T |
| array / map | ``tuple[T, ...]`` / ``dict[str, T]`` | list / dict | any iterable / mapping |
| record | a nested dataclass | its ``to_dict()`` | its ``from_dict()`` |

Each record also gets a ``<Record>Datum`` ``TypedDict``: the datum with every logical value as its
Avro primitive (a UUID's text, epoch milliseconds or microseconds, days since the epoch), which is
what the fast codec's ``encode_datum``/``decode_datum`` take and give (``PyType.wire``).

Other unions, ``fixed`` and ``decimal`` are refused with the field's path, so a contract that
needs them fails generation loudly instead of producing untyped code.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from subshift.errors import ContractError

__all__ = ["DATUM_SUFFIX", "PyType", "map_type"]

_PRIMITIVES = {"null": "None", "boolean": "bool", "int": "int", "long": "int", "float": "float",
               "double": "float", "bytes": "bytes", "string": "str"}
_LOGICAL = {
    ("string", "uuid"): ("uuid.UUID", "_rt.as_uuid($v)"),
    ("long", "timestamp-millis"): ("datetime.datetime", "_rt.as_timestamp_millis($v)"),
    ("long", "timestamp-micros"): ("datetime.datetime", "_rt.as_timestamp_micros($v)"),
    ("int", "date"): ("datetime.date", "_rt.as_date($v)"),
}
DATUM_SUFFIX = "Datum"


@dataclass(frozen=True)
class PyType:
    """How one Avro type appears in Python.

    ``to_avro`` and ``from_avro`` are expressions in which ``$v`` stands for the value.
    ``records`` lists nested record schemas the caller must render too. ``wire`` annotates the
    value in a datum whose logical values are primitives (``annotation`` when empty).
    """

    annotation: str
    to_avro: str = "$v"
    from_avro: str = "$v"
    records: tuple[dict[str, Any], ...] = ()
    aware_datetime: bool = False
    wire: str = ""

    @property
    def wire_annotation(self) -> str:
        return self.wire or self.annotation

    def write(self, value: str) -> str:
        return self.to_avro.replace("$v", value)

    def read(self, value: str) -> str:
        return self.from_avro.replace("$v", value)


def map_type(schema: Any, path: str, named: dict[str, str], depth: int = 0) -> PyType:
    """The Python view of ``schema`` at ``path`` (for messages); ``named`` maps full names to class names.

    Raises:
        ContractError: the type is not supported by the generator.
    """
    if isinstance(schema, str):
        if schema in _PRIMITIVES:
            return PyType(_PRIMITIVES[schema])
        if schema in named:
            return PyType(named[schema], "$v.to_dict()", f"{named[schema]}.from_dict($v)",
                          wire=named[schema] + DATUM_SUFFIX)
        raise ContractError(f"{path}: unknown Avro type {schema!r}")
    if isinstance(schema, list):
        return _union(schema, path, named, depth)
    if not isinstance(schema, dict):
        raise ContractError(f"{path}: not an Avro type: {schema!r}")
    kind = schema.get("type")
    logical = schema.get("logicalType")
    known = _LOGICAL.get((str(kind), str(logical)))
    if known is not None:
        annotation, from_avro = known
        return PyType(annotation, "$v", from_avro, aware_datetime=annotation == "datetime.datetime",
                      wire=_PRIMITIVES[str(kind)])
    if logical is not None:
        raise ContractError(f"{path}: logical type {logical!r} on {kind!r} is not supported by the generator")
    if kind in _PRIMITIVES:
        return PyType(_PRIMITIVES[kind])
    if kind == "enum":
        return PyType(f"Literal[{', '.join(repr(s) for s in schema['symbols'])}]")
    item_var = f"_v{depth}"
    if kind == "array":
        item = map_type(schema["items"], f"{path}[]", named, depth + 1)
        return PyType(f"tuple[{item.annotation}, ...]", f"[{item.write(item_var)} for {item_var} in $v]",
                      f"tuple({item.read(item_var)} for {item_var} in $v)", item.records,
                      wire=f"list[{item.wire_annotation}]")
    if kind == "map":
        value = map_type(schema["values"], f"{path}{{}}", named, depth + 1)
        key_var = f"_k{depth}"
        return PyType(f"dict[str, {value.annotation}]",
                      f"{{{key_var}: {value.write(item_var)} for {key_var}, {item_var} in $v.items()}}",
                      f"{{{key_var}: {value.read(item_var)} for {key_var}, {item_var} in $v.items()}}",
                      value.records, wire=f"dict[str, {value.wire_annotation}]")
    if kind == "record":
        full_name = _full_name(schema)
        named.setdefault(full_name, schema["name"])
        cls = named[full_name]
        return PyType(cls, "$v.to_dict()", f"{cls}.from_dict($v)", (schema,), wire=cls + DATUM_SUFFIX)
    raise ContractError(f"{path}: Avro type {kind!r} is not supported by the generator")


def _union(branches: list[Any], path: str, named: dict[str, str], depth: int) -> PyType:
    others = [b for b in branches if b != "null"]
    if len(branches) != 2 or len(others) != 1:
        raise ContractError(f"{path}: only [\"null\", T] unions are supported by the generator, not {branches!r}")
    inner = map_type(others[0], path, named, depth)
    return PyType(
        f"{inner.annotation} | None",
        inner.to_avro if inner.to_avro == "$v" else "None if $v is None else " + inner.to_avro,
        inner.from_avro if inner.from_avro == "$v" else "None if $v is None else " + inner.from_avro,
        inner.records,
        inner.aware_datetime,
        f"{inner.wire_annotation} | None",
    )


def _full_name(schema: dict[str, Any]) -> str:
    namespace = schema.get("namespace")
    return f"{namespace}.{schema['name']}" if namespace else str(schema["name"])
