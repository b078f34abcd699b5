"""Avro findings: versions checked per mode, paths, lines and messages."""

from __future__ import annotations

import json
from typing import Any

import pytest

from subshift.errors import DataError
from subshift_contracts.avro_check import AvroVersion, check_avro, parse_schema
from subshift_contracts.modes import Mode


def record(*fields: dict[str, Any]) -> dict[str, Any]:
    return {"type": "record", "name": "Event", "namespace": "io.subshift.test", "fields": list(fields)}


def versions(*schemas: dict[str, Any]) -> list[AvroVersion]:
    return [AvroVersion(parse_schema(json.dumps(s), source="test")) for s in schemas]


def schema(value: dict[str, Any]) -> Any:
    return parse_schema(json.dumps(value), source="test")


ID = {"name": "id", "type": "string"}
# v1 has no `channel`; v2 added it with a default; the new version drops the default.
V1 = record(ID)
V2 = record(ID, {"name": "channel", "type": "string", "default": "web"})
NEW = record(ID, {"name": "channel", "type": "string"})


def test_transitive_mode_reports_the_oldest_failing_version() -> None:
    [finding] = check_avro(schema(NEW), versions(V1, V2, V2), Mode.BACKWARD_TRANSITIVE, subject="s")
    assert (finding.rule, finding.path, finding.against_version) == ("READER_FIELD_MISSING_DEFAULT_VALUE",
                                                                   "$.channel", 1)
    assert "version 1" in finding.message


def test_non_transitive_mode_only_looks_at_the_latest_version() -> None:
    assert check_avro(schema(NEW), versions(V1, V2), Mode.BACKWARD, subject="s") == []


def test_a_field_made_required_is_located_at_the_field_not_the_root() -> None:
    old = record(ID, {"name": "note", "type": ["null", "string"], "default": None})
    new = record(ID, {"name": "note", "type": "string"})
    [finding] = check_avro(schema(new), versions(old), Mode.BACKWARD, subject="s")
    assert (finding.rule, finding.path) == ("TYPE_MISMATCH", "$.note")
    assert finding.message.startswith('Field "note" changed type: null values cannot be read as string;')


def test_nested_fields_get_a_path_of_names() -> None:
    part = {"type": "record", "name": "Offer", "fields": [{"name": "code", "type": "string"}]}
    changed = {**part, "fields": [{"name": "code", "type": "int"}]}
    old = record(ID, {"name": "offers", "type": {"type": "array", "items": part}})
    new = record(ID, {"name": "offers", "type": {"type": "array", "items": changed}})
    [finding] = check_avro(schema(new), versions(old), Mode.BACKWARD, subject="s")
    assert finding.path == "$.offers[*].code"


def test_forward_findings_say_the_old_readers_cannot_read_new_data() -> None:
    old = record(ID, {"name": "target_offer", "type": "string"})
    [finding] = check_avro(schema(record(ID)), versions(old), Mode.FORWARD, subject="s")
    assert finding.rule == "READER_FIELD_MISSING_DEFAULT_VALUE"
    assert finding.message == ('Field "target_offer" was removed or renamed, and version 1 declares it without a '
                               "default; readers of version 1 cannot read data written with this version.")


def test_a_rename_with_an_alias_is_compatible_and_without_one_is_not() -> None:
    old = record(ID, {"name": "offer", "type": "string"})
    aliased = record(ID, {"name": "target_offer", "type": "string", "aliases": ["offer"]})
    plain = record(ID, {"name": "target_offer", "type": "string"})
    assert check_avro(schema(aliased), versions(old), Mode.BACKWARD, subject="s") == []
    [finding] = check_avro(schema(plain), versions(old), Mode.BACKWARD, subject="s")
    assert '"target_offer"' in finding.message


def test_findings_point_at_the_line_that_declares_the_field() -> None:
    text = json.dumps(record(ID, {"name": "channel", "type": "string"}), indent=2)
    [finding] = check_avro(parse_schema(text, source="x.avsc"), versions(V1), Mode.BACKWARD, subject="s",
                           new_text=text, new_file="x.avsc")
    assert finding.location is not None and finding.location.line is not None
    assert text.splitlines()[finding.location.line - 1].strip() == '"name": "channel",'


def test_a_schema_that_is_not_json_is_invalid_input_with_line_and_column() -> None:
    with pytest.raises(DataError, match=r"^bad.avsc:2:1: not valid JSON"):
        parse_schema('{"type":\n', source="bad.avsc")


def test_a_schema_that_is_not_avro_is_invalid_input() -> None:
    with pytest.raises(DataError, match=r"bad\.avsc: not a valid Avro schema"):
        parse_schema('{"type": "record", "name": "X", "fields": [{"name": "a", "type": "intt"}]}', source="bad.avsc")


def test_every_mode_is_silent_for_none_and_for_a_first_version() -> None:
    assert check_avro(schema(NEW), versions(V1), Mode.NONE, subject="s") == []
    assert check_avro(schema(NEW), [], Mode.FULL_TRANSITIVE, subject="s") == []


@pytest.mark.parametrize("alias", ["io.subshift.test.Colour", "Colour"], ids=["full", "relative"])
def test_a_renamed_type_with_an_alias_in_either_form_the_spec_allows_is_compatible(alias: str) -> None:
    """Avro specification, Aliases: "A type alias may be specified either as a fully namespace-qualified,
    or relative to the namespace of the name it is an alias for." The avro package alone reports the
    relative form as NAME_MISMATCH; the gate qualifies aliases first (Java Avro and the registry agree)."""
    old = record(ID, {"name": "colour", "type": {"type": "enum", "name": "Colour", "symbols": ["RED"]}})
    new = record(ID, {"name": "colour", "type": {"type": "enum", "name": "Paint", "symbols": ["RED"],
                                                 "aliases": [alias]}})
    assert check_avro(schema(new), versions(old), Mode.BACKWARD, subject="s") == []


def test_an_alias_in_another_namespace_does_not_match() -> None:
    old = record(ID, {"name": "colour", "type": {"type": "enum", "name": "Colour", "symbols": ["RED"]}})
    new = record(ID, {"name": "colour", "type": {"type": "enum", "name": "Paint", "symbols": ["RED"],
                                                 "aliases": ["elsewhere.Colour"]}})
    [finding] = check_avro(schema(new), versions(old), Mode.BACKWARD, subject="s")
    assert (finding.rule, finding.path) == ("NAME_MISMATCH", "$.colour")
