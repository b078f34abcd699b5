"""What fixes a buf finding, by buf rule id: one sentence per rule a person meets often."""

from __future__ import annotations

__all__ = ["fix_for"]

_RESERVE = "delete it only together with `reserved` entries for its number and name"

_FIXES: dict[str, str] = {
    "FIELD_NO_DELETE": f"Keep the field, or {_RESERVE}; never reuse or renumber a field number.",
    "FIELD_NO_DELETE_UNLESS_NUMBER_RESERVED": f"Keep the field, or {_RESERVE}.",
    "FIELD_NO_DELETE_UNLESS_NAME_RESERVED": f"Keep the field, or {_RESERVE}.",
    "FIELD_SAME_NAME": "Keep the field's name; add a new field for a new meaning.",
    "FIELD_SAME_JSON_NAME": "Keep the field's name (its JSON name follows it); add a new field instead.",
    "FIELD_SAME_TYPE": "Keep the field's type; add a new field with a new number for the new type.",
    "FIELD_WIRE_COMPATIBLE_TYPE": "Keep the field's type; add a new field with a new number for the new type.",
    "FIELD_SAME_CARDINALITY": "Keep the field's label (optional/repeated); add a new field instead.",
    "FIELD_SAME_ONEOF": "Keep the field in the oneof it was in; add a new field instead.",
    "ENUM_VALUE_NO_DELETE": "Keep the enum value, or delete it only together with `reserved` for its number and name.",
    "ENUM_VALUE_SAME_NAME": "Keep the enum value's name; add a new value for a new meaning.",
    "ENUM_NO_DELETE": "Keep the enum; mark it deprecated instead of deleting it.",
    "MESSAGE_NO_DELETE": "Keep the message; mark it deprecated instead of deleting it.",
    "FILE_NO_DELETE": "Keep the file; move declarations only within the same package and file.",
    "FILE_SAME_PACKAGE": "Keep the file's package; create a new package version (v2) for breaking changes.",
    "RPC_NO_DELETE": "Keep the RPC; mark it deprecated instead of deleting it.",
    "SERVICE_NO_DELETE": "Keep the service; mark it deprecated instead of deleting it.",
    "RPC_SAME_REQUEST_TYPE": "Keep the RPC's request type; add a new RPC for a new request type.",
    "RPC_SAME_RESPONSE_TYPE": "Keep the RPC's response type; add a new RPC for a new response type.",
}


def fix_for(rule: str, *, kind: str) -> str:
    """The fix sentence for buf rule ``rule`` found by ``buf <kind>`` (``lint`` or ``breaking``)."""
    if rule in _FIXES:
        return _FIXES[rule]
    if kind == "lint":
        return f"Change the declaration as the message says (buf lint rule {rule})."
    return f"Revert the change, or record an approved waiver for {rule} in contracts/waivers.yaml."
