"""Unknown SUBSHIFT_* variables: a typo is named with the setting it resembles, and stops production."""

from __future__ import annotations

import logging
import os

import pytest

from subshift.config import RelaySettings, Settings, load_settings
from subshift.config.unknown_variables import known_variables, unknown_variables
from subshift.errors import ContractError


def test_every_section_field_is_a_known_variable() -> None:
    known = known_variables(Settings)
    assert {"SUBSHIFT_STATE_DIR", "SUBSHIFT_RELAY_BATCH_SIZE", "SUBSHIFT_API_ADDR",
            "SUBSHIFT_STACK_KAFKA_PORT", "SUBSHIFT_AUTH_PRODUCTION"} <= known


def test_a_typo_is_reported_with_the_closest_known_setting() -> None:
    found = unknown_variables({"SUBSHIFT_RELAY_BATCHSIZE": "10", "SUBSHIFT_RELAY_BATCH_SIZE": "10"},
                              known_variables(Settings))
    assert [(variable.name, variable.closest) for variable in found] == [
        ("SUBSHIFT_RELAY_BATCHSIZE", "SUBSHIFT_RELAY_BATCH_SIZE")]
    assert str(found[0]) == ("SUBSHIFT_RELAY_BATCHSIZE is not a Subshift setting "
                             "(did you mean SUBSHIFT_RELAY_BATCH_SIZE?)")


def test_a_name_like_no_setting_is_reported_without_a_guess() -> None:
    [variable] = unknown_variables({"SUBSHIFT_ZZZ": "1"}, known_variables(Settings))
    assert variable.closest is None
    assert str(variable) == "SUBSHIFT_ZZZ is not a Subshift setting"


def test_other_variables_and_those_read_elsewhere_are_not_reported() -> None:
    environment = {"PATH": "/bin", "KAFKA_HEAP_OPTS": "-Xmx1g", "SUBSHIFT_TOKEN": "t",
                   "SUBSHIFT_CONTRACTS_REPO": "/repo", "SUBSHIFT_TEST_WORKDIR": "w"}
    assert unknown_variables(environment, known_variables(Settings)) == []


def test_development_loads_and_warns_naming_the_setting(monkeypatch: pytest.MonkeyPatch,
                                                        caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.setenv("SUBSHIFT_RELAY_BATCHSIZE", "10")
    with caplog.at_level(logging.WARNING, logger="subshift.config"):
        settings = load_settings()
    assert settings.relay == RelaySettings()  # the typo changed nothing
    assert "SUBSHIFT_RELAY_BATCHSIZE is not a Subshift setting (did you mean SUBSHIFT_RELAY_BATCH_SIZE?)" \
        in caplog.text


def test_production_mode_refuses_to_start(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SUBSHIFT_AUTH_PRODUCTION", "true")
    monkeypatch.setenv("SUBSHIFT_RELAY_BATCHSIZE", "10")
    with pytest.raises(ContractError, match=r"production mode.*SUBSHIFT_RELAY_BATCHSIZE.*SUBSHIFT_RELAY_BATCH_SIZE"):
        load_settings()


def test_production_mode_starts_when_every_variable_is_a_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SUBSHIFT_AUTH_PRODUCTION", "true")
    monkeypatch.setenv("SUBSHIFT_RELAY_BATCH_SIZE", "10")
    for name in list(os.environ):
        if name.startswith("SUBSHIFT_") and name not in known_variables(Settings):
            monkeypatch.delenv(name)
    assert load_settings().relay.batch_size == 10
