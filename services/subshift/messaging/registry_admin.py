"""Publish the manifest's Avro subjects to a Confluent-compatible Schema Registry.

For each subject (keys and values, in manifest order), after the types it references:
0. each referenced file is registered first under its own subject (the type's full name, as
   Confluent's RecordNameStrategy would name it), with the files listed before it as references;
   the subject then names each with ``references`` (name, subject, version);
1. set the subject's compatibility mode (``PUT /config/{subject}``), so the registry judges the
   new schema by the manifest's mode, not its global default;
2. look the schema up (``POST /subjects/{subject}``): already registered means the same id, nothing to do;
3. register it (``POST /subjects/{subject}/versions``); a 409 (incompatible) or 422 (invalid) is a
   refusal, reported with the registry's own message, never retried.

With ``dry_run`` nothing is written: the current mode is read, and a new schema is tested with
``POST /compatibility/subjects/{subject}/versions/latest`` instead of registered.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal, TypeVar

from confluent_kafka.schema_registry import Schema, SchemaReference, SchemaRegistryClient
from confluent_kafka.schema_registry.error import SchemaRegistryError

from subshift.contracts_manifest import Manifest
from subshift.errors import InfrastructureError
from subshift_client.avro_runtime import schema_json
from subshift_contracts_core.subjects import full_name, read_schema

__all__ = ["SubjectAction", "SubjectOutcome", "publish_subjects"]

T = TypeVar("T")

SubjectAction = Literal["registered", "unchanged", "would register", "rejected"]


@dataclass(frozen=True, kw_only=True)
class SubjectOutcome:
    """What publishing did (or would do) to one subject."""

    subject: str
    mode: str
    action: SubjectAction
    schema_id: int | None = None
    mode_changed_from: str | None = None
    message: str = ""

    @property
    def refused(self) -> bool:
        return self.action == "rejected"


def publish_subjects(manifest: Manifest, registry: SchemaRegistryClient, *, dry_run: bool) -> list[SubjectOutcome]:
    """Set modes and register every Avro subject of ``manifest``, references first; one outcome per subject.

    Raises:
        ContractError: a schema file is missing or not JSON.
        InfrastructureError: the registry is unreachable or failed (not a refusal).
    """
    outcomes: list[SubjectOutcome] = []
    # Referenced subject -> its registered version (None: a dry run would register it first).
    versions: dict[str, int | None] = {}
    for spec in manifest.subjects:
        references: list[SchemaReference] = []
        for path in spec.references:
            document = read_schema(path)
            name = full_name(document)
            if name not in versions:
                schema = Schema(schema_json(document), "AVRO", references=list(references))
                outcome = _publish_one(name, manifest.default_compatibility, schema, registry, dry_run=dry_run,
                                       untestable=any(r.version is None for r in references))
                outcomes.append(outcome)
                versions[name] = _version(registry, name, schema) if outcome.schema_id is not None else None
            references.append(SchemaReference(name, name, versions[name]))
        schema = Schema(schema_json(read_schema(spec.schema_path)), "AVRO", references=references)
        outcomes.append(_publish_one(spec.name, spec.mode, schema, registry, dry_run=dry_run,
                                     untestable=any(r.version is None for r in references)))
    return outcomes


def _publish_one(subject: str, mode: str, schema: Schema, registry: SchemaRegistryClient, *,
                 dry_run: bool, untestable: bool = False) -> SubjectOutcome:
    current_mode = _call(lambda: _subject_mode(registry, subject), subject)
    # "none set" when the subject has no mode of its own (the registry's global default applies).
    changed_from = (current_mode or "none set") if current_mode != mode else None
    if changed_from is not None and not dry_run:
        _call(lambda: registry.set_compatibility(subject, mode), subject)
    existing = None if untestable else _call(lambda: _lookup(registry, subject, schema), subject)
    if existing is not None:
        return SubjectOutcome(subject=subject, mode=mode, action="unchanged", schema_id=existing,
                              mode_changed_from=changed_from)
    if dry_run:
        if untestable:
            # A type it references is not registered yet, so the registry cannot judge it before a real run.
            return SubjectOutcome(subject=subject, mode=mode, action="would register", mode_changed_from=changed_from,
                                  message="after the types it references")
        # The registry judges under its current mode; a dry run that would change the mode says so.
        compatible = _call(lambda: registry.test_compatibility(subject, schema), subject)
        if not compatible:
            return SubjectOutcome(subject=subject, mode=mode, action="rejected", mode_changed_from=changed_from,
                                  message=f"the registry finds it incompatible under {current_mode or 'its default'}")
        return SubjectOutcome(subject=subject, mode=mode, action="would register", mode_changed_from=changed_from)
    try:
        schema_id = registry.register_schema(subject, schema)
    except SchemaRegistryError as error:
        if error.http_status_code in (409, 422):
            return SubjectOutcome(subject=subject, mode=mode, action="rejected", mode_changed_from=changed_from,
                                  message=f"registry refused it ({error.http_status_code}): {error.error_message}")
        raise _infrastructure(error, subject) from error
    except Exception as error:  # transport failures from the HTTP client
        raise InfrastructureError(f"registry unreachable registering {subject}: {error}", retryable=True) from error
    return SubjectOutcome(subject=subject, mode=mode, action="registered", schema_id=schema_id,
                          mode_changed_from=changed_from)


def _version(registry: SchemaRegistryClient, subject: str, schema: Schema) -> int | None:
    """The version under which ``schema`` is registered in ``subject``."""
    return _call(lambda: registry.lookup_schema(subject, schema).version, subject)


def _subject_mode(registry: SchemaRegistryClient, subject: str) -> str | None:
    try:
        return registry.get_compatibility(subject)
    except SchemaRegistryError as error:
        if error.http_status_code == 404:
            return None
        raise


def _lookup(registry: SchemaRegistryClient, subject: str, schema: Schema) -> int | None:
    try:
        return registry.lookup_schema(subject, schema).schema_id
    except SchemaRegistryError as error:
        if error.http_status_code == 404:
            return None
        raise


def _call(operation: Callable[[], T], subject: str) -> T:
    try:
        return operation()
    except SchemaRegistryError as error:
        raise _infrastructure(error, subject) from error
    except Exception as error:  # transport failures from the HTTP client
        raise InfrastructureError(f"registry unreachable for {subject}: {error}", retryable=True) from error


def _infrastructure(error: SchemaRegistryError, subject: str) -> InfrastructureError:
    status = error.http_status_code
    return InfrastructureError(f"registry error on {subject}: {status} {error.error_message}",
                               retryable=status < 0 or status >= 500, code=str(error.error_code))
