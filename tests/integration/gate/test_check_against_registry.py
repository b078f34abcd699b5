"""`contracts check --registry`: the gate compares with what the real registry holds and asks its verdict."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from compat_tests.gate_support import GitRepo
from subshift.config import load_settings
from subshift.contracts_manifest import load_manifest
from subshift_contracts.check import CheckOptions, run_check
from subshift_contracts.findings import Report
from tests.integration.gate.registry_peer import RegistryPeer

pytestmark = pytest.mark.integration
TODAY = dt.date(2026, 11, 25)


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
def repo(tmp_path: Path, peer: RegistryPeer) -> Iterator[GitRepo]:
    """Today's contracts under a topic name of their own, so the test owns its subject in the registry."""
    repo = GitRepo.with_contracts(tmp_path)
    topic = f"gate-it-{uuid.uuid4().hex[:10]}"
    manifest_file = repo.root / "contracts" / "subjects.yaml"
    manifest_file.write_text(manifest_file.read_text().replace("user-offers", topic))
    repo.commit("own topic name")
    yield repo
    peer.delete(f"{topic}-value")


def _subject_and_schema(repo: GitRepo) -> tuple[str, str, dict[str, Any]]:
    manifest = load_manifest(repo.root / "contracts")
    topic = manifest.avro_topics[0]
    path = manifest.schema_path(topic)
    return str(topic.value.subject), path.relative_to(repo.root).as_posix(), json.loads(path.read_text())


def _check(repo: GitRepo, url: str) -> Report:
    return run_check(load_manifest(repo.root / "contracts"),
                     CheckOptions(repo=repo.root, registry_url=url, today=TODAY))


def test_a_change_the_registry_would_reject_fails_with_the_registered_version_named(
    repo: GitRepo, peer: RegistryPeer
) -> None:
    subject, file, schema = _subject_and_schema(repo)
    peer.set_mode(subject, "BACKWARD")
    peer.register(subject, schema)
    schema["fields"].append({"name": "channel", "type": "string"})
    repo.write_json(file, schema)
    repo.commit("required field")

    report = _check(repo, peer.url)

    rules = sorted(f.rule for f in report.findings)
    # once against git history (HEAD's parent), once against the registered version, and the registry's own no
    assert rules == ["READER_FIELD_MISSING_DEFAULT_VALUE", "READER_FIELD_MISSING_DEFAULT_VALUE", "REGISTRY_REJECTED"]
    registered = [f for f in report.findings if "registry version 1" in f.message]
    assert len(registered) == 1 and registered[0].path == "$.channel"


def test_a_compatible_change_passes_against_the_registry(repo: GitRepo, peer: RegistryPeer) -> None:
    subject, file, schema = _subject_and_schema(repo)
    peer.set_mode(subject, "BACKWARD")
    peer.register(subject, schema)
    schema["fields"].append({"name": "channel", "type": ["null", "string"], "default": None})
    repo.write_json(file, schema)
    repo.commit("optional field")

    assert _check(repo, peer.url).passed


def test_a_subject_the_registry_does_not_know_is_its_first_version(repo: GitRepo, peer: RegistryPeer) -> None:
    assert _check(repo, peer.url).passed
