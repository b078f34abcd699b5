"""Every `subshift` command the image, docker-compose.yml and the Kubernetes manifests run exists."""

from __future__ import annotations

import pytest
from deploy_files import K8S, REPO, containers_of, load_yaml_documents
from typer.testing import CliRunner

from subshift.cli.main import app


def _deployed_commands() -> set[tuple[str, ...]]:
    commands: set[tuple[str, ...]] = {("serve", "api")}  # the image's default CMD
    for path in K8S.glob("*.yaml"):
        for doc in load_yaml_documents(path):
            commands |= {tuple(container["args"]) for container in containers_of(doc) if "args" in container}
    compose = load_yaml_documents(REPO / "docker-compose.yml")[0]
    for service in compose["services"].values():
        command = service.get("command")
        if not isinstance(command, list) or not str(service.get("image", "")).startswith("subshift"):
            continue
        if "entrypoint" not in service:  # the image's entrypoint is `subshift`
            commands.add(tuple(command))
            continue
        for step in " ".join(command).split("&&"):  # a shell line of `subshift …` steps
            words = step.split()
            if words[:1] == ["subshift"]:
                commands.add(tuple(words[1:]))
    return commands


COMMANDS = sorted(_deployed_commands())


def test_the_deployments_run_the_three_processes_the_three_set_up_steps_and_the_purge() -> None:
    assert set(COMMANDS) >= {
        ("serve", "api"), ("serve", "relay"), ("serve", "consumer"),
        ("db", "upgrade"), ("topics", "ensure"), ("contracts", "publish"),
        ("db", "purge"), ("db", "purge", "--every", "3600"),
    }


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_deployed_command_exists(command: tuple[str, ...]) -> None:
    result = CliRunner().invoke(app, [*command, "--help"])
    assert result.exit_code == 0, result.output
