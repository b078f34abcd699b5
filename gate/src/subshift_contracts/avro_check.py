"""Check a new Avro schema against its earlier versions under a compatibility mode.

``ReaderWriterCompatibilityChecker`` of the ``avro`` package gives each verdict (see
``avro_resolution``); this module applies the mode, loops over the versions the mode asks
for, and turns what the library reports into findings with a rule, a path, a message and a fix.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

import avro.errors
import avro.schema
from avro.schema import Schema

from subshift_contracts.avro_messages import describe
from subshift_contracts.avro_names import qualify_aliases
from subshift_contracts.avro_paths import json_path, line_of
from subshift_contracts.avro_resolution import incompatibilities, rule_id
from subshift_contracts.findings import Finding, SourceLocation
from subshift_contracts.modes import Mode, reader_writer_pairs, versions_to_check
from subshift_contracts_core.errors import DataError

__all__ = ["AvroVersion", "check_avro", "is_compatible", "parse_schema"]


@dataclass(frozen=True)
class AvroVersion:
    """One version of a schema; ``origin`` says where it came from ("commit 1a2b3c4", "registry version 3")."""

    schema: Schema
    origin: str = ""


def parse_schema(text: str, *, source: str) -> Schema:
    """Parse Avro schema JSON read from ``source``.

    Raises:
        DataError: not JSON (the message gives line and column) or not a valid Avro schema.
    """
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise DataError(
            f"{source}:{error.lineno}:{error.colno}: not valid JSON: {error.msg}", row=error.lineno, rule="json"
        ) from None
    try:
        return avro.schema.parse(json.dumps(qualify_aliases(document)))
    except (avro.errors.AvroException, TypeError, ValueError) as error:
        raise DataError(f"{source}: not a valid Avro schema: {error}", rule="avro-schema") from None


def check_avro(
    new: Schema,
    previous: Sequence[AvroVersion],
    mode: Mode,
    *,
    subject: str,
    new_text: str | None = None,
    new_file: str | None = None,
) -> list[Finding]:
    """Findings that make ``new`` incompatible with ``previous`` (oldest first) under ``mode``.

    A problem found against several versions is reported once, against the oldest of them.
    ``new_text`` and ``new_file`` let a finding point at the line that declares the field.
    """
    findings: list[Finding] = []
    seen: set[tuple[str, str, str]] = set()
    for number, version in versions_to_check(mode, previous):
        against = f"version {number}" + (f" ({version.origin})" if version.origin else "")
        for pair in reader_writer_pairs(mode, new, version.schema):
            for found in incompatibilities(pair.reader, pair.writer):
                path = json_path(pair.reader, found.location)
                key = (rule_id(found.kind), path, pair.direction.value)
                if key in seen:
                    continue
                seen.add(key)
                message, fix = describe(found.kind, pair.direction, path, found.message, against)
                findings.append(
                    Finding(
                        rule=key[0],
                        subject_or_file=subject,
                        path=path,
                        message=message,
                        fix=fix,
                        against_version=number,
                        location=_location(new_file, new_text, path),
                    )
                )
    return findings


def is_compatible(new: Schema, previous: Sequence[Schema], mode: Mode) -> bool:
    """The bare verdict: True when ``new`` may follow ``previous`` (oldest first) under ``mode``."""
    return not check_avro(new, [AvroVersion(p) for p in previous], mode, subject="")


def _location(file: str | None, text: str | None, path: str) -> SourceLocation | None:
    if file is None:
        return None
    line = line_of(text, path) if text is not None else None
    return SourceLocation(file=file, line=line or 1)
