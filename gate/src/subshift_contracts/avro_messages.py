"""What an Avro incompatibility means, in one grammar, and what fixes it.

Every message reads "<what changed>; readers of <version> cannot read data written with
<version>." Every fix is one sentence a schema author can act on.
"""

from __future__ import annotations

import re

from avro.compatibility import SchemaIncompatibilityType as Kind

from subshift_contracts.avro_paths import field_name
from subshift_contracts.modes import Direction

__all__ = ["describe"]

_TYPES = re.compile(r"reader type: (\S+) not compatible with writer type: (\S+)")
_UNION_BRANCH = re.compile(r"reader union lacking writer type:? (\S+)")
_SIZES = re.compile(r"expected: (\d+), found: (\d+)")


def describe(kind: Kind, direction: Direction, path: str, library_message: str, against: str) -> tuple[str, str]:
    """``(message, fix)`` for one incompatibility of the new schema with the earlier version ``against``.

    ``direction`` says which side reads: BACKWARD means the new schema reads data ``against``
    wrote; FORWARD means ``against`` reads data the new schema writes.
    """
    backward = direction is Direction.BACKWARD
    readers, writers = ("this version", against) if backward else (against, "this version")
    what, fix = _explain(kind, backward, path, library_message, against)
    return f"{what}; readers of {readers} cannot read data written with {writers}.", fix


def _explain(kind: Kind, backward: bool, path: str, said: str, against: str) -> tuple[str, str]:
    name = field_name(path)
    subject = "The record" if name == "$" else f'Field "{name}"'
    lower = subject[0].lower() + subject[1:]
    if kind is Kind.reader_field_missing_default_value:
        if backward:
            return (
                f'Field "{said}" was added without a default',
                f'Give field "{said}" a default (for example type ["null", …] with "default": null), '
                f'or, if it renames an earlier field, list the old name in its "aliases".',
            )
        return (
            f'Field "{said}" was removed or renamed, and {against} declares it without a default',
            f'Keep field "{said}"; to retire it, first release a version that gives it a default.',
        )
    if kind is Kind.type_mismatch:
        found = _TYPES.search(said)
        reader_type, writer_type = found.groups() if found else ("?", "?")
        return (
            f"{subject} changed type: {writer_type} values cannot be read as {reader_type}",
            f"Keep {lower} readable as {writer_type} (Avro promotes int→long→float→double and string↔bytes); "
            "for another type add a new field with a default.",
        )
    if kind is Kind.name_mismatch:
        expected = said.removeprefix("expected: ")
        fix = (
            f'Keep the name "{expected}", or add "{expected}" to the type\'s "aliases".'
            if backward
            else f'Keep the name "{expected}": readers of {against} know no other.'
        )
        return f'The named type of {lower} is no longer "{expected}"', fix
    if kind is Kind.fixed_size_mismatch:
        found = _SIZES.search(said)
        writer_size, reader_size = found.groups() if found else ("?", "?")
        old, new = (writer_size, reader_size) if backward else (reader_size, writer_size)
        return (
            f"The fixed type of {lower} changed size from {old} to {new}",
            "Keep the size; for another size add a new field with a default.",
        )
    if kind is Kind.missing_enum_symbols:
        symbols = ", ".join(sorted(re.findall(r"'([^']*)'", said))) or said
        if backward:
            return (
                f"The enum of {lower} lost symbols {symbols}",
                'Keep the symbols, or give the enum a "default" symbol that readers use for unknown ones.',
            )
        return (
            f"The enum of {lower} gained symbols {symbols}",
            f'Add symbols only to an enum that has a "default" symbol in {against} and later.',
        )
    if kind is Kind.missing_union_branch:
        found = _UNION_BRANCH.search(said)
        branch = found.group(1).lower() if found else "?"
        if backward:
            return (
                f"The union of {lower} lost its {branch} branch",
                f"Keep the {branch} branch in the union.",
            )
        return (
            f"{subject} now allows {branch}, which {against} has no branch for",
            f"Do not widen the union of {lower} while readers of {against} remain; add a new field instead.",
        )
    return f"{subject} is incompatible ({said})", "Revert the change to this field."
