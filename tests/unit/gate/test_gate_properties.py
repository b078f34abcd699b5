"""Laws every compatibility verdict obeys, over generated schemas and evolutions."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import HealthCheck, given, settings

from compat_tests.avro_evolutions import evolutions, schemas
from subshift_contracts.avro_check import AvroVersion, check_avro, parse_schema
from subshift_contracts.modes import Mode

LAWS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
NON_TRANSITIVE = {Mode.BACKWARD_TRANSITIVE: Mode.BACKWARD, Mode.FORWARD_TRANSITIVE: Mode.FORWARD,
                  Mode.FULL_TRANSITIVE: Mode.FULL}


def parse(value: dict[str, Any]) -> Any:
    return parse_schema(json.dumps(value), source="generated")


def compatible(new: Any, previous: list[Any], mode: Mode) -> bool:
    return not check_avro(new, [AvroVersion(p) for p in previous], mode, subject="s")


@LAWS
@given(schemas())
def test_a_schema_is_compatible_with_itself_in_every_mode(value: dict[str, Any]) -> None:
    for mode in Mode:
        assert compatible(parse(value), [parse(value)], mode), mode


@LAWS
@given(evolutions(2))
def test_full_is_backward_and_forward(chain: list[dict[str, Any]]) -> None:
    old, new = parse(chain[0]), parse(chain[1])
    backward, forward = compatible(new, [old], Mode.BACKWARD), compatible(new, [old], Mode.FORWARD)
    assert compatible(new, [old], Mode.FULL) == (backward and forward)
    full = set(check_avro(new, [AvroVersion(old)], Mode.FULL, subject="s"))
    assert full == set(check_avro(new, [AvroVersion(old)], Mode.BACKWARD, subject="s")) | set(
        check_avro(new, [AvroVersion(old)], Mode.FORWARD, subject="s"))


@LAWS
@given(evolutions(3))
def test_transitive_modes_imply_their_non_transitive_forms(chain: list[dict[str, Any]]) -> None:
    *previous, new = [parse(s) for s in chain]
    for transitive, plain in NON_TRANSITIVE.items():
        if compatible(new, previous, transitive):
            assert compatible(new, previous, plain), (transitive, plain)
        # and the non-transitive form is the transitive one restricted to the latest version
        assert compatible(new, previous, plain) == compatible(new, previous[-1:], transitive)


@LAWS
@given(evolutions(2))
def test_every_finding_names_a_rule_a_path_and_a_version(chain: list[dict[str, Any]]) -> None:
    old, new = parse(chain[0]), parse(chain[1])
    for finding in check_avro(new, [AvroVersion(old)], Mode.FULL, subject="s"):
        assert finding.path.startswith("$")
        assert finding.against_version == 1
        assert finding.message.endswith(".") and "version 1" in finding.message
        assert finding.fix
