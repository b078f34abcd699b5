"""Kafka authentication is the same in docker-compose.yml, the Kubernetes manifests and the local stack:
every process that talks to Kafka names a principal of its own, and the compose ACLs are the stack's."""

from __future__ import annotations

import re
from typing import Any

import pytest
from deploy_files import REPO, containers_of, find, load_yaml_documents

from subshift_tooling.stack.kafka_auth import AclRule, Operation, PatternType, ResourceType, acl_rules

KAFKA_CLIENTS = {"init": "admin", "relay": "relay", "consumer": "consumer"}  # compose service → principal
K8S_KAFKA_CLIENTS = {("Deployment", "subshift-relay", "relay"): "subshift-relay",
                     ("Deployment", "subshift-consumer", "consumer"): "subshift-consumer",
                     ("Job", "subshift-init", "topics-ensure"): "subshift-admin",
                     ("Job", "subshift-init", "contracts-publish"): "subshift-admin"}


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return load_yaml_documents(REPO / "docker-compose.yml")[0]


def _config_map(rendered: list[dict[str, Any]]) -> dict[str, str]:
    data: dict[str, str] = find(rendered, "ConfigMap", "subshift-config")["data"]
    return data


def test_compose_and_the_config_map_authenticate_with_the_same_mechanism(
        compose: dict[str, Any], rendered: list[dict[str, Any]]) -> None:
    shared = compose["x-subshift-env"]
    config = _config_map(rendered)
    assert shared["SUBSHIFT_KAFKA_SASL_MECHANISM"] == config["SUBSHIFT_KAFKA_SASL_MECHANISM"] == "SCRAM-SHA-512"
    assert shared["SUBSHIFT_KAFKA_SECURITY_PROTOCOL"] == "SASL_PLAINTEXT"  # a laptop's private network
    assert config["SUBSHIFT_KAFKA_SECURITY_PROTOCOL"] == "SASL_SSL"  # a cluster: passwords never in clear


@pytest.mark.parametrize(("service", "principal"), KAFKA_CLIENTS.items())
def test_each_compose_process_that_talks_to_kafka_names_its_own_principal(
        compose: dict[str, Any], service: str, principal: str) -> None:
    env = compose["services"][service]["environment"]
    assert env["SUBSHIFT_KAFKA_SASL_USERNAME"] == principal
    assert env["SUBSHIFT_KAFKA_SASL_PASSWORD"].startswith(f"${{SUBSHIFT_KAFKA_{principal.upper()}_PASSWORD:-")


def test_the_compose_api_has_no_kafka_principal(compose: dict[str, Any]) -> None:
    assert "SUBSHIFT_KAFKA_SASL_USERNAME" not in compose["services"]["api"]["environment"]


@pytest.mark.parametrize(("where", "principal"), K8S_KAFKA_CLIENTS.items(),
                         ids=[f"{kind}/{name}/{container}" for kind, name, container in K8S_KAFKA_CLIENTS])
def test_each_kubernetes_process_that_talks_to_kafka_names_its_own_principal(
        rendered: list[dict[str, Any]], where: tuple[str, str, str], principal: str) -> None:
    kind, name, container_name = where
    [container] = [c for c in containers_of(find(rendered, kind, name)) if c["name"] == container_name]
    env = {e["name"]: e for e in container.get("env", [])}
    assert env["SUBSHIFT_KAFKA_SASL_USERNAME"]["value"] == principal
    assert env["SUBSHIFT_KAFKA_SASL_PASSWORD"]["valueFrom"]["secretKeyRef"] == {"name": principal, "key": "password"}


_ACL = re.compile(r"kafka-acls --add --allow-principal User:(\S+) --operation (\w+)"
                  r"(?: --resource-pattern-type (\w+))?\s+--(topic|group) (\S+)")


def test_the_compose_acls_are_the_local_stacks(compose: dict[str, Any]) -> None:
    script = compose["services"]["kafka-setup"]["command"][0].replace("\\\n", " ")
    granted = {AclRule(principal, ResourceType(kind), name, PatternType(pattern or "literal"),
                       Operation(operation.lower()))
               for principal, operation, pattern, kind, name in _ACL.findall(script) if principal != "schema-registry"}
    expected = set(acl_rules(topic="user-offers", dead_letter_topic="user-offers.DLT", consumer_group="subshift-apply"))
    assert granted == expected


def test_the_consumer_autoscaler_reads_the_lag_as_the_consumer(rendered: list[dict[str, Any]]) -> None:
    trigger = find(rendered, "ScaledObject", "subshift-consumer")["spec"]["triggers"][0]
    auth = find(rendered, "TriggerAuthentication", trigger["authenticationRef"]["name"])["spec"]
    assert (trigger["metadata"]["sasl"], trigger["metadata"]["tls"]) == ("scram_sha512", "enable")
    assert auth["env"] == [{"parameter": "username", "name": "SUBSHIFT_KAFKA_SASL_USERNAME",
                            "containerName": "consumer"}]
    assert auth["secretTargetRef"] == [{"parameter": "password", "name": "subshift-consumer", "key": "password"}]
