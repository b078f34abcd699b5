"""Another team's repository, laid out unlike ours, and the breaks a gate must catch in it.

- the manifest at the top level, schemas under ``schemas/`` (Avro) and ``schemas/proto`` (Protobuf);
- four subjects: ``orders-key`` (a key subject), ``com.acme.billing.Payment`` (RecordNameStrategy),
  ``orders-value`` (BACKWARD; its shipping address is ``com.acme.common.Address`` from another file)
  and ``customers-value`` (FULL_TRANSITIVE);
- two commits: the first version, then a compatible evolution (a field with a default, a new proto field).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from compat_tests.gate_support import GitRepo

__all__ = ["BREAKS", "Break", "scratch_repository"]

MANIFEST = """\
# Acme's contracts: four subjects on three topics.
version: 1
default_compatibility: BACKWARD_TRANSITIVE
topics:
  - name: orders
    key:
      format: avro
      schema: schemas/avro/order_key.avsc
    value:
      format: avro
      schema: schemas/avro/order.avsc
      references: [schemas/avro/common/address.avsc]
      compatibility: BACKWARD
  - name: payments
    value:
      format: avro
      strategy: RecordNameStrategy
      schema: schemas/avro/payment.avsc
  - name: customers
    partitions: 3
    value:
      format: avro
      schema: schemas/avro/customer.avsc
      compatibility: FULL_TRANSITIVE
"""

BUF_YAML = "version: v2\nmodules:\n  - path: schemas/proto\nlint:\n  use: [STANDARD]\nbreaking:\n  use: [FILE]\n"

PROTO = """\
syntax = "proto3";

package acme.shop.v1;

message Order {
  string id = 1;
  string note = 2;
%s}
"""

_ADDRESS = {"type": "record", "name": "Address", "namespace": "com.acme.common",
            "fields": [{"name": "street", "type": "string"}, {"name": "city", "type": "string"}]}
_REGION = {"type": "enum", "name": "Region", "symbols": ["EU", "US", "APAC"]}
_ORDER_KEY = {"type": "record", "name": "OrderKey", "namespace": "com.acme.orders",
              "fields": [{"name": "id", "type": "string"}, {"name": "region", "type": _REGION}]}
_ORDER = {"type": "record", "name": "Order", "namespace": "com.acme.orders",
          "fields": [{"name": "id", "type": "string"}, {"name": "total_cents", "type": "long"},
                     {"name": "shipping", "type": "com.acme.common.Address"}]}
_PAYMENT = {"type": "record", "name": "Payment", "namespace": "com.acme.billing",
            "fields": [{"name": "order_id", "type": "string"}, {"name": "amount_cents", "type": "long"}]}
_CUSTOMER = {"type": "record", "name": "Customer", "namespace": "com.acme.customers",
             "fields": [{"name": "id", "type": "string"}, {"name": "email", "type": "string"}]}


def scratch_repository(root: Path) -> GitRepo:
    """The repository, two commits in; its working tree is clean."""
    repo = GitRepo(root)
    repo.write("subjects.yaml", MANIFEST)
    repo.write("buf.yaml", BUF_YAML)
    repo.write("schemas/proto/acme/shop/v1/shop.proto", PROTO % "")
    for path, schema in _SCHEMAS.items():
        repo.write_json(path, schema)
    repo.commit("Acme's first contracts")
    customer = repo.read_json("schemas/avro/customer.avsc")
    customer["fields"].append({"name": "nickname", "type": ["null", "string"], "default": None})
    repo.write_json("schemas/avro/customer.avsc", customer)
    repo.write("schemas/proto/acme/shop/v1/shop.proto", PROTO % "  string coupon = 3;\n")
    repo.commit("customers may have a nickname; orders a coupon")
    return repo


_SCHEMAS: dict[str, Any] = {
    "schemas/avro/common/address.avsc": _ADDRESS,
    "schemas/avro/order_key.avsc": _ORDER_KEY,
    "schemas/avro/order.avsc": _ORDER,
    "schemas/avro/payment.avsc": _PAYMENT,
    "schemas/avro/customer.avsc": _CUSTOMER,
}


@dataclass(frozen=True)
class Break:
    """A seeded break and the finding it must cause: ``(rule, subject or file, the element its message names)``."""

    name: str
    seed: Callable[[GitRepo], None]
    expected: tuple[str, str, str]


def _edit(path: str, change: Callable[[dict[str, Any]], None]) -> Callable[[GitRepo], None]:
    def seed(repo: GitRepo) -> None:
        schema = repo.read_json(path)
        change(schema)
        repo.write_json(path, schema)
    return seed


def _add_field_without_default(schema: dict[str, Any]) -> None:
    schema["fields"].append({"name": "channel", "type": "string"})


def _long_to_string(schema: dict[str, Any]) -> None:
    next(f for f in schema["fields"] if f["name"] == "amount_cents")["type"] = "string"


def _drop_symbol(schema: dict[str, Any]) -> None:
    next(f for f in schema["fields"] if f["name"] == "region")["type"]["symbols"].remove("APAC")


def _drop_email(schema: dict[str, Any]) -> None:
    schema["fields"] = [f for f in schema["fields"] if f["name"] != "email"]


def _add_zip(schema: dict[str, Any]) -> None:
    schema["fields"].append({"name": "zip", "type": "string"})


def _drop_proto_field(repo: GitRepo) -> None:
    repo.write("schemas/proto/acme/shop/v1/shop.proto",
               (PROTO % "  string coupon = 3;\n").replace("  string note = 2;\n", ""))


BREAKS = [
    Break("a field without a default", _edit("schemas/avro/order.avsc", _add_field_without_default),
          ("READER_FIELD_MISSING_DEFAULT_VALUE", "orders-value", "channel")),
    Break("a type change", _edit("schemas/avro/payment.avsc", _long_to_string),
          ("TYPE_MISMATCH", "com.acme.billing.Payment", "amount_cents")),
    Break("an enum symbol removed", _edit("schemas/avro/order_key.avsc", _drop_symbol),
          ("MISSING_ENUM_SYMBOLS", "orders-key", "APAC")),
    Break("a field removed under FULL", _edit("schemas/avro/customer.avsc", _drop_email),
          ("READER_FIELD_MISSING_DEFAULT_VALUE", "customers-value", "email")),
    Break("a change inside a referenced type", _edit("schemas/avro/common/address.avsc", _add_zip),
          ("READER_FIELD_MISSING_DEFAULT_VALUE", "orders-value", "zip")),
    Break("a Protobuf field removed", _drop_proto_field,
          ("FIELD_NO_DELETE", "schemas/proto/acme/shop/v1/shop.proto", 'name "note"')),
]
