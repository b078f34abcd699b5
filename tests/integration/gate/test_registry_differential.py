"""Differential test: the gate's Avro verdicts against the local registry's own, for generated evolutions.

Hypothesis draws schema evolutions (``compat_tests.avro_evolutions``); for each, the gate's
verdict in every mode must equal the registry's:

- pairs (old, new), one old version each: the registry is asked ``POST
  /compatibility/subjects/{s}/versions/{v}`` for the version holding ``old`` (a one-version check,
  the same in every mode), so thousands of pairs share one subject and one mode switch per mode;
- sequences (v1, v2, new) in a subject each: ``POST /compatibility/subjects/{s}/versions``, where the
  mode decides which versions count.

The registry stores a schema equal (to it) to one it has under the id it already gave, keeping the
first text; our verdict is computed on what the registry stored. Disagreements are collected, not
stopped at: each must belong to a known difference (``KNOWN_DIFFERENCES``), each of which a test in
``test_registry_known_differences.py`` pins with a minimal example and the reason which side is right.
"""

from __future__ import annotations

import json
import os
import time
import uuid
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from compat_tests.avro_evolutions import evolutions
from subshift.config import load_settings
from subshift_contracts.avro_check import AvroVersion, check_avro, parse_schema
from subshift_contracts.modes import Mode
from tests.integration.gate.registry_peer import RegistryPeer

pytestmark = pytest.mark.integration

# Sizes: a thousand pairs and a hundred sequences in under a minute on a quiet 2-core machine; raise them to
# explore further.
PAIRS = int(os.environ.get("SUBSHIFT_DIFFERENTIAL_PAIRS", "1000"))
SEQUENCES = int(os.environ.get("SUBSHIFT_DIFFERENTIAL_SEQUENCES", "100"))
WORKERS = 4
TRANSITIVE_OF = {Mode.BACKWARD: Mode.BACKWARD_TRANSITIVE, Mode.FORWARD: Mode.FORWARD_TRANSITIVE,
                 Mode.FULL: Mode.FULL_TRANSITIVE}
Json = dict[str, Any]


@dataclass(frozen=True)
class Disagreement:
    phase: str
    mode: Mode
    ours: bool
    theirs: bool
    ours_against_every_version: bool
    previous: tuple[str, ...]
    new: str


@dataclass(frozen=True)
class KnownDifference:
    name: str
    matches: Callable[[Disagreement], bool]


KNOWN_DIFFERENCES = [
    # Apicurio's /versions checks every registered version whatever the mode; Confluent's API (and the
    # gate) check only the latest in BACKWARD, FORWARD and FULL. Pinned in test_registry_known_differences.
    KnownDifference(
        "non-transitive mode checked against every version",
        lambda d: d.phase == "sequence" and d.mode in TRANSITIVE_OF and d.theirs == d.ours_against_every_version,
    ),
]


def draw(strategy: st.SearchStrategy[Any], count: int) -> list[Any]:
    """``count`` examples of ``strategy`` (generation only: nothing here fails, so nothing shrinks)."""
    drawn: dict[str, Any] = {}

    @settings(max_examples=count, deadline=None, database=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck))
    @given(strategy)
    def collect(value: Any) -> None:
        drawn.setdefault(json.dumps(value, sort_keys=True), value)

    collect()
    return list(drawn.values())


def ours(new: Json, previous: list[Json], mode: Mode) -> bool:
    schemas = [AvroVersion(parse_schema(json.dumps(p), source="previous")) for p in previous]
    return not check_avro(parse_schema(json.dumps(new), source="new"), schemas, mode, subject="differential")


@pytest.fixture(scope="module")
def peer() -> Any:
    url = load_settings().registry.url
    registry = RegistryPeer(url)
    problem = registry.reachable()
    if problem is not None:
        pytest.fail(f"the registry at {url} is not reachable ({problem}); start it with `subshift stack up`")
    yield registry
    registry.close()


@dataclass(frozen=True)
class Outcome:
    pairs: int
    verdicts: int
    disagreements: list[Disagreement]


def _check_pairs(peer: RegistryPeer, pairs: list[list[Json]]) -> Outcome:
    """All ``pairs`` in one subject, each old schema a version; every pair checked in each pairwise mode."""
    subject = f"gate-differential-pairs-{uuid.uuid4().hex[:12]}"
    peer.set_mode(subject, Mode.NONE.value)
    stored: dict[int, Json] = {}  # id → the text the registry keeps for it
    version_of: dict[int, int] = {}
    pair_ids = []
    for old, _ in pairs:
        schema_id = peer.register(subject, old)
        if schema_id not in version_of:
            version_of[schema_id] = len(version_of) + 1
            stored[schema_id] = old
        pair_ids.append(schema_id)
    assert peer.versions(subject) == list(range(1, len(version_of) + 1))
    found = []
    # Against one version a transitive mode is its plain form on both sides; those run in _check_sequence.
    for mode in (Mode.BACKWARD, Mode.FORWARD, Mode.FULL):
        peer.set_mode(subject, mode.value)
        for schema_id, (_, new) in zip(pair_ids, pairs, strict=True):
            theirs = peer.compatible(subject, new, str(version_of[schema_id]))
            mine = ours(new, [stored[schema_id]], mode)
            if mine != theirs:
                found.append(Disagreement("pair", mode, mine, theirs, mine, (json.dumps(stored[schema_id]),),
                                          json.dumps(new)))
    peer.delete(subject)
    return Outcome(pairs=len(pairs), verdicts=3 * len(pairs), disagreements=found)


def _check_sequence(peer: RegistryPeer, chain: list[Json]) -> Outcome:
    """v1 and v2 registered in a subject of their own; the new schema checked in all seven modes."""
    subject = f"gate-differential-seq-{uuid.uuid4().hex[:12]}"
    peer.set_mode(subject, Mode.NONE.value)
    first, second = peer.register(subject, chain[0]), peer.register(subject, chain[1])
    previous = chain[:1] if second == first else chain[:2]
    new = chain[2]
    found = []
    for mode in Mode:
        peer.set_mode(subject, mode.value)
        theirs = peer.compatible(subject, new)
        mine = ours(new, previous, mode)
        if mine != theirs:
            every = ours(new, previous, TRANSITIVE_OF.get(mode, mode))
            found.append(Disagreement("sequence", mode, mine, theirs, every, tuple(json.dumps(p) for p in previous),
                                      json.dumps(new)))
    peer.delete(subject)
    return Outcome(pairs=len(previous), verdicts=len(Mode), disagreements=found)


@pytest.mark.timeout(1800)
def test_our_verdicts_equal_the_registry_for_generated_evolutions(peer: RegistryPeer,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    started = time.monotonic()
    pairs, chains = draw(evolutions(2), PAIRS), draw(evolutions(3), SEQUENCES)
    chunks = [pairs[i::WORKERS] for i in range(WORKERS)]
    with ThreadPoolExecutor(WORKERS) as pool:
        outcomes = [*pool.map(lambda chunk: _check_pairs(peer, chunk), chunks),
                    *pool.map(lambda chain: _check_sequence(peer, chain), chains)]
    stats = Counter(pairs=sum(o.pairs for o in outcomes), verdicts=sum(o.verdicts for o in outcomes))
    disagreements = [d for o in outcomes for d in o.disagreements]

    by_kind = Counter(next((k.name for k in KNOWN_DIFFERENCES if k.matches(d)), "UNEXPLAINED") for d in disagreements)
    with capsys.disabled():
        print(f"\ndifferential: {stats['pairs']} schema pairs, {stats['verdicts']} verdicts compared with the "
              f"registry in {time.monotonic() - started:.0f} s; disagreements: {dict(by_kind) or 'none'}")
    unexplained = [d for d in disagreements if not any(k.matches(d) for k in KNOWN_DIFFERENCES)]
    assert not unexplained, "\n".join(
        f"{d.phase} {d.mode}: ours={d.ours} registry={d.theirs}\n  previous={list(d.previous)}\n  new={d.new}"
        for d in unexplained[:5])
