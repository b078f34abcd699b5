"""Where the local registry (Apicurio's Confluent-compatible API) and the gate differ, pinned with the reason.

The differential test tolerates a disagreement only when it belongs to a difference pinned here.
Each test shows the smallest example on the real registry, asserts both sides' answers, and says
which side is right and why.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from subshift.config import load_settings
from subshift_contracts.avro_check import AvroVersion, check_avro, parse_schema
from subshift_contracts.modes import Mode
from tests.integration.gate.registry_peer import RegistryPeer

pytestmark = pytest.mark.integration


def record(*fields: dict[str, Any]) -> dict[str, Any]:
    return {"type": "record", "name": "Event", "namespace": "io.subshift.pinned", "fields": list(fields)}


def ours(new: dict[str, Any], previous: list[dict[str, Any]], mode: Mode) -> bool:
    versions = [AvroVersion(parse_schema(json.dumps(p), source="previous")) for p in previous]
    return not check_avro(parse_schema(json.dumps(new), source="new"), versions, mode, subject="pinned")


@pytest.fixture
def peer() -> Iterator[RegistryPeer]:
    url = load_settings().registry.url
    registry = RegistryPeer(url)
    problem = registry.reachable()
    if problem is not None:
        pytest.fail(f"the registry at {url} is not reachable ({problem}); start it with `subshift stack up`")
    yield registry
    registry.close()


@pytest.fixture
def subject(peer: RegistryPeer) -> Iterator[str]:
    name = f"gate-pinned-{uuid.uuid4().hex[:12]}"
    peer.set_mode(name, Mode.NONE.value)
    yield name
    peer.delete(name)


ID = {"name": "id", "type": "string"}
CHANNEL = {"name": "channel", "type": "string"}
WITH_DEFAULT = {**CHANNEL, "default": "web"}
# Each evolution is compatible with the latest version and incompatible with the first, under the mode:
# BACKWARD/FULL: v1 lacks `channel`, v2 adds it with a default, the new version drops the default.
# FORWARD: v1 has `channel` without a default, v2 gives it one, the new version removes it.
EVOLUTIONS = {
    Mode.BACKWARD: (record(ID), record(ID, WITH_DEFAULT), record(ID, CHANNEL)),
    Mode.FULL: (record(ID), record(ID, WITH_DEFAULT), record(ID, CHANNEL)),
    Mode.FORWARD: (record(ID, CHANNEL), record(ID, WITH_DEFAULT), record(ID)),
}
TRANSITIVE = {Mode.BACKWARD: Mode.BACKWARD_TRANSITIVE, Mode.FORWARD: Mode.FORWARD_TRANSITIVE,
              Mode.FULL: Mode.FULL_TRANSITIVE}


@pytest.mark.parametrize("mode", list(EVOLUTIONS), ids=[m.value for m in EVOLUTIONS])
def test_registry_checks_every_version_in_non_transitive_modes_and_the_gate_only_the_latest(
    peer: RegistryPeer, subject: str, mode: Mode
) -> None:
    """Right: the gate. Confluent's API documentation for ``POST /compatibility/subjects/{subject}/versions``:
    "if compatibility on the subject is set to BACKWARD, FORWARD, or FULL, the compatibility check is
    against the latest version. If compatibility is set to one of the TRANSITIVE types, the check is
    against all previous versions." Apicurio's ccompat implementation instead applies the subject's
    rule once per registered version, so a non-transitive mode behaves like its transitive form on
    this endpoint. (The Avro specification defines resolution of one reader/writer pair only; which
    versions to pair is the registry protocol's business.) Against ``/versions/latest`` both agree.
    """
    v1, v2, new = EVOLUTIONS[mode]
    peer.register(subject, v1)
    peer.register(subject, v2)
    peer.set_mode(subject, mode.value)

    assert peer.compatible(subject, new) is False  # Apicurio: version 1 counts too
    assert peer.compatible(subject, new, "latest") is True
    assert ours(new, [v1, v2], mode) is True
    assert ours(new, [v1, v2], TRANSITIVE[mode]) is False  # what the registry computed


def test_registry_keeps_the_first_text_of_schemas_that_differ_only_in_aliases_or_doc(
    peer: RegistryPeer, subject: str
) -> None:
    """Not a verdict difference, but it decides what a FORWARD check reads with. The registry treats
    schemas with the same Parsing Canonical Form as one (the Avro specification's canonical form
    strips ``aliases`` and ``doc``), so registering an alias-only change returns the existing id and
    creates no version: the alias never reaches the registry, and a later FORWARD check uses the
    alias-less reader. The gate's git history keeps every committed text, so it sees the alias.
    Neither side is wrong about canonical form; the consequence is that a rename must not rely on an
    alias added in a version the registry deduplicated.
    """
    plain = record({"name": "offer", "type": "string"})
    aliased = record({"name": "offer", "type": "string", "aliases": ["target_offer"], "doc": "now documented"})
    first = peer.register(subject, plain)
    assert peer.register(subject, aliased) == first
    assert peer.versions(subject) == [1]
