"""Ask the ``avro`` package whether a reader schema can read what a writer schema wrote.

The verdict is the library's own (``avro.compatibility.ReaderWriterCompatibilityChecker``,
which agrees with Apache Avro's, Confluent's and Karapace's test suites); nothing here
decides resolution. We only keep what the library knows but throws away:

- It merges incompatibilities into a list of kinds plus *sets* of messages and locations, so
  which message belongs to which kind is lost. Each incompatibility is whole only when the
  library creates it, in ``avro.compatibility.incompatible``; we observe that call.
- While searching a reader union for a branch that fits, it tries branches and drops what the
  failed tries said, reporting MISSING_UNION_BRANCH instead; we drop them too.
- Inside unions it restarts the location at the root ("/"); we continue the caller's location
  so a finding points at the field it is about.
"""

from __future__ import annotations

import contextvars
import threading
from collections import Counter
from dataclasses import dataclass
from typing import Any

import avro.compatibility as _lib
from avro.compatibility import (
    ReaderWriterCompatibilityChecker,
    SchemaCompatibilityResult,
    SchemaCompatibilityType,
    SchemaIncompatibilityType,
)
from avro.schema import Schema

__all__ = ["Incompatibility", "incompatibilities", "rule_id"]

_ROOT = ReaderWriterCompatibilityChecker.ROOT_REFERENCE_TOKEN


@dataclass(frozen=True)
class Incompatibility:
    """One incompatibility as the library created it; ``location`` points into the reader schema."""

    kind: SchemaIncompatibilityType
    message: str
    location: str


def rule_id(kind: SchemaIncompatibilityType) -> str:
    """Our stable rule id for a library incompatibility kind (``READER_FIELD_MISSING_DEFAULT_VALUE`` …)."""
    return kind.name.upper()


class _Checker(ReaderWriterCompatibilityChecker):
    def __init__(self) -> None:
        super().__init__()  # type: ignore[no-untyped-call]  # the library's __init__ is unannotated
        self._frames: list[tuple[Schema, list[str]]] = []
        self._trying_branches = 0
        self.noted: list[Incompatibility] = []

    def calculate_compatibility(self, reader: Schema, writer: Schema, location: list[str]) -> Any:
        self._frames.append((reader, location))
        try:
            return super().calculate_compatibility(reader, writer, location)
        finally:
            self._frames.pop()

    def get_compatibility(
        self, reader: Schema, writer: Schema, reference_token: str = _ROOT, location: list[str] | None = None
    ) -> Any:
        if location is not None or not self._frames:
            return super().get_compatibility(reader, writer, reference_token, location)
        # The library passes no location only when it looks into a union: keep the caller's place.
        parent_reader, here = self._frames[-1]
        trying = parent_reader.type == "union"
        self._trying_branches += trying
        try:
            return super().get_compatibility(reader, writer, here[-1], here[:-1])
        finally:
            self._trying_branches -= trying

    def note(self, found: Incompatibility) -> None:
        if not self._trying_branches:
            self.noted.append(found)


_active: contextvars.ContextVar[_Checker | None] = contextvars.ContextVar("subshift_avro_checker", default=None)
_install_lock = threading.Lock()
_library_incompatible = _lib.incompatible


def _observed_incompatible(
    incompat_type: SchemaIncompatibilityType, message: str, location: list[str]
) -> SchemaCompatibilityResult:
    result = _library_incompatible(incompat_type, message, location)
    checker = _active.get()
    if checker is not None:
        checker.note(Incompatibility(incompat_type, message, next(iter(result.locations))))
    return result


def _observe_library() -> None:
    # Installed on first use, not at import; outside a check it only forwards to the library.
    with _install_lock:
        _lib.incompatible = _observed_incompatible


def incompatibilities(reader: Schema, writer: Schema) -> list[Incompatibility]:
    """Why ``reader`` cannot read data written with ``writer``; empty when it can."""
    _observe_library()
    checker = _Checker()
    token = _active.set(checker)
    try:
        result: SchemaCompatibilityResult = checker.get_compatibility(reader, writer)
    finally:
        _active.reset(token)
    if result.compatibility is SchemaCompatibilityType.compatible:
        return []
    return _reconcile(result, checker.noted)


def _reconcile(result: SchemaCompatibilityResult, noted: list[Incompatibility]) -> list[Incompatibility]:
    """Keep the noted incompatibilities the verdict contains; describe any it lacks from the verdict."""
    wanted = Counter(result.incompatibilities)
    kept: list[Incompatibility] = []
    for found in dict.fromkeys(noted):
        if wanted[found.kind] > 0 and found.message in result.messages and found.location in result.locations:
            kept.append(found)
            wanted[found.kind] -= 1
    seen = {found.kind for found in kept}
    for kind in dict.fromkeys(result.incompatibilities):
        if kind not in seen:
            # A memoised sub-result was reused without being re-created; the verdict still names it.
            kept.append(Incompatibility(kind, "; ".join(sorted(result.messages)), min(result.locations)))
    return kept
