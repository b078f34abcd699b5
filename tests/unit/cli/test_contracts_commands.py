"""`subshift contracts`: the gate's and the tooling's commands join it where installed; without the gate,
`check` and `compat` say how to install it instead of being unknown commands."""

from __future__ import annotations

import pytest
import typer
from typer.testing import CliRunner

import subshift_contracts.cli as gate_cli
from subshift.cli.contracts import GATE_COMMANDS, join_commands
from subshift.cli.main import app as subshift_app
from subshift.errors import InfrastructureError
from subshift_contracts_core.errors import exit_code_for


def _callbacks(app: typer.Typer) -> dict[str, object]:
    return {command.name: command.callback for command in app.registered_commands if command.name}


def test_this_checkouts_command_line_has_the_gates_and_the_toolings_contracts_commands() -> None:
    (contracts,) = [group.typer_instance for group in subshift_app.registered_groups if group.name == "contracts"]
    assert contracts is not None
    callbacks = _callbacks(contracts)
    assert callbacks["check"] is gate_cli.check
    assert callbacks["compat"] is gate_cli.compat
    assert {"publish", "generate", "fixtures", "release"} <= callbacks.keys()


def test_the_gates_registrar_adds_its_own_check_and_compat() -> None:
    contracts = typer.Typer()
    join_commands(contracts, [gate_cli.register])
    assert _callbacks(contracts) == {"check": gate_cli.check, "compat": gate_cli.compat}


@pytest.mark.parametrize("name", GATE_COMMANDS)
def test_without_the_gate_its_commands_say_how_to_install_it(name: str) -> None:
    contracts = typer.Typer()
    join_commands(contracts, [])

    done = CliRunner().invoke(contracts, [name, "--against", "HEAD", "extra"])

    error = done.exception
    assert isinstance(error, InfrastructureError), done.output
    assert f"`subshift contracts {name}` is the contract gate, which is not installed here" in str(error)
    assert "pip install subshift-contracts" in str(error)
    assert exit_code_for(error) == 3
