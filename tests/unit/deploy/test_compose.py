"""docker-compose.yml is valid for Docker Compose itself and runs the whole system as documented.

``docker compose config`` needs only the client (no engine). Where the docker client has no compose
plugin, ``scripts/install-tools`` installs Debian's ``docker-compose``; without either these tests FAIL.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from deploy_files import REPO, setting_env_names

from subshift.contracts_manifest import load_manifest


def _compose_command() -> list[str]:
    if shutil.which("docker"):
        probe = subprocess.run(["docker", "compose", "version"], capture_output=True, check=False, timeout=30)
        if probe.returncode == 0:
            return ["docker", "compose"]
    standalone = shutil.which("docker-compose")
    if standalone:
        return [standalone]
    pytest.fail("no docker compose here: run scripts/install-tools", pytrace=False)


def _config(*args: str) -> subprocess.CompletedProcess[str]:
    # Interpolation defaults of the file apply; variables of this shell must not change the result.
    env = {key: value for key, value in os.environ.items() if not key.startswith(("SUBSHIFT_", "GRAFANA_"))}
    return subprocess.run([*_compose_command(), "config", *args], cwd=REPO, env=env, capture_output=True,
                          text=True, timeout=60, check=False)


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    # YAML is the output format both Compose v2 and Debian's v1 print.
    result = _config()
    assert result.returncode == 0, result.stderr
    config: dict[str, Any] = yaml.safe_load(result.stdout)
    return {**config, "services": {name: _normalise(svc) for name, svc in config["services"].items()}}


def _normalise(service: dict[str, Any]) -> dict[str, Any]:
    """Compose v1 prints short forms (volume strings, a default Dockerfile left out); use v2's long ones."""
    service = dict(service)
    if "build" in service:
        build = service["build"] if isinstance(service["build"], dict) else {"context": service["build"]}
        service["build"] = {"dockerfile": "Dockerfile", **build}
    volumes = []
    for volume in service.get("volumes", []):
        if isinstance(volume, str):
            source, target = volume.split(":")[:2]
            kind = "bind" if source.startswith(("/", ".")) else "volume"
            volume = {"type": kind, "source": source, "target": target}
        volumes.append(volume)
    if volumes:
        service["volumes"] = volumes
    return service


def test_compose_file_is_valid() -> None:
    result = _config("-q")
    assert result.returncode == 0, result.stderr


def test_compose_has_no_default_token_secret(compose: dict[str, Any]) -> None:
    # The API refuses to start until the user sets one (tests/security/test_shipped_settings.py).
    assert compose["services"]["api"]["environment"]["SUBSHIFT_AUTH_HS256_SECRET"] == ""
    assert compose["services"]["api"]["environment"]["SUBSHIFT_AUTH_PRODUCTION"] == "false"


def test_full_system_is_in_the_file(compose: dict[str, Any]) -> None:
    assert set(compose["services"]) >= {
        "kafka", "schema-registry", "postgres", "prometheus", "grafana", "init", "api", "relay", "consumer",
    }


def test_two_consumers_share_the_partitions(compose: dict[str, Any]) -> None:
    replicas = compose["services"]["consumer"]["deploy"]["replicas"]
    assert 2 == replicas <= load_manifest().topic("user-offers").partitions


@pytest.mark.parametrize("role", ["api", "relay", "consumer"])
def test_each_process_starts_after_init_from_the_one_image(compose: dict[str, Any], role: str) -> None:
    service = compose["services"][role]
    assert service["command"] == ["serve", role]
    assert service["image"] == compose["services"]["init"]["image"]
    assert service["build"]["dockerfile"] == "Dockerfile"
    assert service["depends_on"]["init"]["condition"] == "service_completed_successfully"
    assert "healthcheck" in service


def test_a_periodic_purge_runs_after_init_and_restarts(compose: dict[str, Any]) -> None:
    service = compose["services"]["purge"]
    assert service["command"][:3] == ["db", "purge", "--every"]
    assert service["image"] == compose["services"]["init"]["image"]
    assert service["depends_on"]["init"]["condition"] == "service_completed_successfully"
    assert service["restart"] == "unless-stopped"


def test_init_prepares_schema_topics_and_contracts(compose: dict[str, Any]) -> None:
    script = " ".join(compose["services"]["init"]["command"])
    steps = [step.strip() for step in script.split("&&")]
    assert steps == ["subshift db upgrade", "subshift topics ensure", "subshift contracts publish"]


def test_processes_reach_the_servers_by_their_service_names(compose: dict[str, Any]) -> None:
    env = compose["services"]["api"]["environment"]
    assert env["SUBSHIFT_KAFKA_BOOTSTRAP"].split(":")[0] == "kafka"
    assert env["SUBSHIFT_REGISTRY_URL"].startswith("http://schema-registry:")
    assert "@postgres:5432/" in env["SUBSHIFT_DATABASE_URL"]
    assert env["SUBSHIFT_API_ADDR"] == "0.0.0.0:50051"
    assert set(env) <= setting_env_names()


def test_prometheus_and_grafana_get_our_rules_and_dashboard(compose: dict[str, Any]) -> None:
    mounts = {
        (volume["source"], volume["target"])
        for name in ("prometheus", "grafana")
        for volume in compose["services"][name]["volumes"]
        if volume["type"] == "bind"
    }
    assert (str(REPO / "deploy" / "prometheus"), "/etc/prometheus") in mounts
    assert (str(REPO / "deploy" / "grafana" / "provisioning"), "/etc/grafana/provisioning") in mounts
    assert (str(REPO / "deploy" / "grafana" / "dashboards"), "/var/lib/grafana/dashboards") in mounts
    assert all(Path(source).is_dir() for source, _ in mounts)
    assert "--config.file=/etc/prometheus/prometheus.yml" in compose["services"]["prometheus"]["command"]


def test_images_are_pinned(compose: dict[str, Any]) -> None:
    for name, service in compose["services"].items():
        image = service["image"]
        assert ":" in image and not image.endswith(":latest"), f"{name} uses an unpinned image {image}"
