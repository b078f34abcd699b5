"""A Confluent-compatible Schema Registry as a second source of earlier versions, and a second opinion.

``registered_versions`` reads what the registry holds for a subject so the gate can check the
new schema against exactly what producers registered; ``registry_verdict`` asks the registry
itself (``POST /compatibility/subjects/{subject}/versions?verbose=true``) under the mode
configured there.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx

from subshift_contracts.avro_check import AvroVersion, parse_schema
from subshift_contracts.findings import Finding
from subshift_contracts_core.errors import InfrastructureError
from subshift_contracts_core.references import inline_references

__all__ = ["RegistryVerdict", "registered_versions", "registry_finding", "registry_verdict"]

_SUBJECT_NOT_FOUND = 40401
_HEADERS = {"Content-Type": "application/vnd.schemaregistry.v1+json"}


@dataclass(frozen=True)
class RegistryVerdict:
    compatible: bool
    messages: tuple[str, ...]


def registered_versions(client: httpx.Client, subject: str) -> list[AvroVersion]:
    """Every Avro version registered under ``subject``, oldest first; empty for an unknown subject.

    Raises:
        InfrastructureError: the registry is unreachable or answered with an error.
        DataError: a registered schema is not valid Avro.
    """
    numbers = _get(client, f"/subjects/{quote(subject, safe='')}/versions")
    if numbers is None:
        return []
    versions = []
    for number in sorted(int(n) for n in numbers):
        body = _get(client, f"/subjects/{quote(subject, safe='')}/versions/{number}")
        if body is None:
            continue  # deleted between the two calls
        text = json.dumps(_resolved(client, body))
        versions.append(AvroVersion(parse_schema(text, source=f"{subject} version {number}"),
                                    origin=f"registry version {number}"))
    return versions


def _resolved(client: httpx.Client, body: dict[str, Any]) -> Any:
    """A registered schema with the types it references (``references``: subject and version) defined in place.

    Raises:
        InfrastructureError: a referenced version is missing or the registry failed.
    """
    schema = json.loads(str(body["schema"]))
    referenced = []
    for reference in body.get("references") or []:
        path = f"/subjects/{quote(str(reference['subject']), safe='')}/versions/{reference['version']}"
        found = _get(client, path)
        if found is None:
            raise InfrastructureError(f"registry {client.base_url}: referenced {path} does not exist", retryable=False)
        referenced.append(_resolved(client, found))
    if not referenced:
        return schema
    return inline_references(schema, referenced, source=str(body.get("subject", "")), require_use=False)


def registry_verdict(client: httpx.Client, subject: str, schema_text: str) -> RegistryVerdict | None:
    """The registry's own verdict on ``schema_text`` for ``subject``; None when the subject is new there.

    Raises:
        InfrastructureError: the registry is unreachable or answered with an error.
    """
    payload = {"schema": json.dumps(json.loads(schema_text)), "schemaType": "AVRO"}
    path = f"/compatibility/subjects/{quote(subject, safe='')}/versions"
    response = _call(client, "POST", path, params={"verbose": "true"}, json=payload)
    if _not_found(response):
        return None
    body = response.json()
    messages = body.get("messages") or []
    return RegistryVerdict(compatible=bool(body.get("is_compatible")), messages=tuple(str(m) for m in messages))


def registry_finding(subject: str, verdict: RegistryVerdict, url: str) -> Finding | None:
    """A finding when the registry rejects the schema; None when it accepts it."""
    if verdict.compatible:
        return None
    said = "; ".join(verdict.messages) or "no reason given"
    return Finding(
        rule="REGISTRY_REJECTED",
        subject_or_file=subject,
        path="$",
        message=f'The registry at {url} rejects this version of "{subject}" under its configured mode ({said}).',
        fix="Fix the incompatibility the registry names, or align the subject's mode there with subjects.yaml.",
    )


def _get(client: httpx.Client, path: str) -> Any:
    response = _call(client, "GET", path)
    return None if _not_found(response) else response.json()


def _not_found(response: httpx.Response) -> bool:
    if response.status_code != 404:
        return False
    try:
        code = response.json().get("error_code")
    except ValueError:
        return True
    return code in (None, _SUBJECT_NOT_FOUND)


def _call(client: httpx.Client, method: str, path: str, **kwargs: object) -> httpx.Response:
    try:
        response = client.request(method, path, headers=_HEADERS, **kwargs)  # type: ignore[arg-type]
    except httpx.HTTPError as error:
        raise InfrastructureError(f"registry {client.base_url} unreachable: {error}", retryable=True) from None
    if response.status_code >= 400 and response.status_code != 404:
        raise InfrastructureError(
            f"registry {method} {path} answered {response.status_code}: {response.text[:300]}",
            retryable=response.status_code >= 500,
            code=str(response.status_code),
        )
    return response
