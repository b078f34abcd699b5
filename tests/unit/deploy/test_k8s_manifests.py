"""The Kubernetes manifests render, validate against the Kubernetes schemas offline, and agree
with Subshift's own settings and contracts (ports, drain deadline, group, topic, partitions)."""

from __future__ import annotations

import json
from typing import Any

import jsonschema
import kubernetes_validate
import pytest
from deploy_files import K8S, containers_of, find, load_yaml_documents, setting_env_names

from subshift.config.api import ApiSettings
from subshift.config.consumer import ConsumerSettings
from subshift.contracts_manifest import load_manifest
from subshift_client.requests import DEFAULT_STREAM_TIMEOUT

# The oldest Kubernetes minor still widely run, and the newest whose schemas are bundled.
KUBERNETES_VERSIONS = ["1.30.0", kubernetes_validate.latest_version()]
COMPONENTS = ["api", "relay", "consumer"]
API_SERVICES = ["subshift-api", "subshift-api-headless"]  # one virtual address, then every pod's
_KEDA_SCHEMA = json.loads((K8S.parents[1] / "tests/unit/deploy/schemas/keda-scaledobject-v1alpha1.schema.json")
                          .read_text(encoding="utf-8"))


def _config(rendered: list[dict[str, Any]]) -> dict[str, str]:
    data: dict[str, str] = find(rendered, "ConfigMap", "subshift-config")["data"]
    return data


def test_kustomization_lists_every_manifest_and_each_parses(kustomization: dict[str, Any]) -> None:
    listed = set(kustomization["resources"])
    on_disk = {path.name for path in K8S.glob("*.yaml")} - {"kustomization.yaml"}
    assert listed == on_disk
    for name in listed:
        assert load_yaml_documents(K8S / name), f"{name} holds no document"


@pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
def test_core_resources_validate_against_the_kubernetes_schemas(rendered: list[dict[str, Any]], version: str) -> None:
    core = [doc for doc in rendered if not doc["apiVersion"].startswith("keda.sh/")]
    assert {doc["kind"] for doc in core} >= {
        "Deployment", "Service", "HorizontalPodAutoscaler", "PodDisruptionBudget", "ConfigMap", "Secret", "Job",
    }
    for doc in core:
        try:
            kubernetes_validate.validate(doc, version, strict=True)
        except kubernetes_validate.ValidationError as error:
            where = "/".join(str(part) for part in error.path)
            pytest.fail(f"{doc['kind']}/{doc['metadata']['name']} at {where}: {error.message}", pytrace=False)


def test_scaled_object_validates_against_the_keda_schema(rendered: list[dict[str, Any]]) -> None:
    scaled = find(rendered, "ScaledObject", "subshift-consumer")
    jsonschema.validate(scaled, _KEDA_SCHEMA)
    assert scaled["spec"]["minReplicaCount"] <= scaled["spec"]["maxReplicaCount"]


def test_keda_schema_rejects_a_misspelt_kafka_parameter(rendered: list[dict[str, Any]]) -> None:
    scaled = json.loads(json.dumps(find(rendered, "ScaledObject", "subshift-consumer")))
    scaled["spec"]["triggers"][0]["metadata"]["lagTreshold"] = "10"
    with pytest.raises(jsonschema.ValidationError, match="lagTreshold"):
        jsonschema.validate(scaled, _KEDA_SCHEMA)


def test_consumers_scale_on_lag_of_their_group_up_to_the_partition_count(rendered: list[dict[str, Any]]) -> None:
    scaled = find(rendered, "ScaledObject", "subshift-consumer")
    (trigger,) = scaled["spec"]["triggers"]
    topic = load_manifest().topic(trigger["metadata"]["topic"])
    config = _config(rendered)
    assert scaled["spec"]["scaleTargetRef"]["name"] == find(rendered, "Deployment", "subshift-consumer")["metadata"][
        "name"
    ]
    assert trigger["type"] == "kafka"
    assert topic.dead_letter_topic is not None, "consumers must scale on the topic they apply, not a dead-letter one"
    assert scaled["spec"]["maxReplicaCount"] == topic.partitions
    assert trigger["metadata"]["consumerGroup"] == config["SUBSHIFT_CONSUMER_GROUP_ID"]
    assert trigger["metadata"]["consumerGroup"] == ConsumerSettings().group_id
    assert trigger["metadata"]["bootstrapServers"] == config["SUBSHIFT_KAFKA_BOOTSTRAP"]


def test_api_scales_on_cpu(rendered: list[dict[str, Any]]) -> None:
    hpa = find(rendered, "HorizontalPodAutoscaler", "subshift-api")
    assert hpa["spec"]["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment", "name": "subshift-api"}
    assert [metric["resource"]["name"] for metric in hpa["spec"]["metrics"]] == ["cpu"]
    assert 1 < hpa["spec"]["minReplicas"] <= hpa["spec"]["maxReplicas"]


@pytest.mark.parametrize("component", COMPONENTS)
def test_every_container_has_probes_requests_and_limits(rendered: list[dict[str, Any]], component: str) -> None:
    deployment = find(rendered, "Deployment", f"subshift-{component}")
    (container,) = containers_of(deployment)
    assert container["args"] == ["serve", component]
    assert {"readinessProbe", "livenessProbe"} <= container.keys()
    assert {"cpu", "memory"} <= container["resources"]["requests"].keys()
    assert {"cpu", "memory"} <= container["resources"]["limits"].keys()
    assert container["securityContext"]["allowPrivilegeEscalation"] is False
    assert deployment["spec"]["template"]["spec"]["securityContext"]["runAsNonRoot"] is True


@pytest.mark.parametrize("component", COMPONENTS)
def test_metrics_port_matches_the_setting_and_the_scrape_annotation(
    rendered: list[dict[str, Any]], component: str
) -> None:
    deployment = find(rendered, "Deployment", f"subshift-{component}")
    (container,) = containers_of(deployment)
    setting = _config(rendered)[f"SUBSHIFT_{component.upper()}_METRICS_PORT"]
    ports = {port["name"]: port["containerPort"] for port in container["ports"]}
    assert ports["metrics"] == int(setting)
    assert deployment["spec"]["template"]["metadata"]["annotations"]["prometheus.io/port"] == setting


def test_api_probes_ask_the_health_server_of_its_own_which_the_service_does_not_expose(
        rendered: list[dict[str, Any]]) -> None:
    (container,) = containers_of(find(rendered, "Deployment", "subshift-api"))
    config = _config(rendered)
    api_port = int(config["SUBSHIFT_API_ADDR"].rsplit(":", 1)[1])
    health_port = int(config["SUBSHIFT_API_HEALTH_ADDR"].rsplit(":", 1)[1])
    assert config["SUBSHIFT_API_ADDR"].startswith("0.0.0.0:"), "a pod must listen beyond loopback"
    assert config["SUBSHIFT_API_HEALTH_ADDR"].startswith("0.0.0.0:"), "kubelet probes the pod's address"
    assert health_port != api_port
    assert container["readinessProbe"]["grpc"]["port"] == health_port
    assert container["livenessProbe"]["grpc"]["port"] == health_port
    for name in API_SERVICES:
        service = find(rendered, "Service", name)
        grpc_port = next(port for port in service["spec"]["ports"] if port["name"] == "grpc")
        assert grpc_port["port"] == api_port
        assert health_port not in {port["port"] for port in service["spec"]["ports"]}


def test_api_has_a_headless_service_beside_the_virtual_address_for_clients_that_balance(
        rendered: list[dict[str, Any]]) -> None:
    labels = find(rendered, "Deployment", "subshift-api")["spec"]["template"]["metadata"]["labels"]
    virtual, headless = (find(rendered, "Service", name)["spec"] for name in API_SERVICES)
    assert virtual.get("clusterIP") != "None", "clients that cannot balance keep one virtual address"
    assert headless["clusterIP"] == "None", "DNS must answer with every pod's address"
    assert not headless.get("publishNotReadyAddresses", False), "a pod that is not ready must leave DNS"
    for spec in (virtual, headless):
        assert spec["selector"].items() <= labels.items()
    assert {port["name"] for port in headless["ports"]} == {"grpc"}


def test_api_tls_certificate_names_both_services(rendered: list[dict[str, Any]]) -> None:
    names = load_yaml_documents(K8S / "optional" / "tls-certificate.yaml")[0]["spec"]["dnsNames"]
    namespace = find(rendered, "Service", "subshift-api")["metadata"]["namespace"]
    for service in API_SERVICES:
        assert {service, f"{service}.{namespace}.svc", f"{service}.{namespace}.svc.cluster.local"} <= set(names)


def test_api_connections_age_so_long_lived_clients_reach_new_replicas(rendered: list[dict[str, Any]]) -> None:
    config = _config(rendered)
    settings = ApiSettings.model_validate({
        key.removeprefix("SUBSHIFT_API_").lower(): value
        for key, value in config.items() if key.startswith("SUBSHIFT_API_")
    })
    # Minutes, not the half hour a scale-up would otherwise leave new replicas without existing clients.
    assert settings.max_connection_age_seconds <= 600
    # An upload or an export that began just before the GOAWAY may run to its own deadline.
    assert settings.max_connection_age_grace_seconds >= DEFAULT_STREAM_TIMEOUT


def test_api_temp_volume_has_a_size_limit(rendered: list[dict[str, Any]]) -> None:
    spec = find(rendered, "Deployment", "subshift-api")["spec"]["template"]["spec"]
    (tmp,) = [volume for volume in spec["volumes"] if volume["name"] == "tmp"]
    assert tmp["emptyDir"]["sizeLimit"]


def test_api_serves_tls_from_a_mounted_secret(rendered: list[dict[str, Any]]) -> None:
    spec = find(rendered, "Deployment", "subshift-api")["spec"]["template"]["spec"]
    (container,) = spec["containers"]
    config = _config(rendered)
    mounts = {mount["name"]: mount["mountPath"] for mount in container["volumeMounts"]}
    (tls,) = [volume for volume in spec["volumes"] if volume["name"] == "tls"]
    assert tls["secret"]["secretName"] == "subshift-api-tls"
    assert config["SUBSHIFT_API_TLS_CERT"] == f"{mounts['tls']}/tls.crt"
    assert config["SUBSHIFT_API_TLS_KEY"] == f"{mounts['tls']}/tls.key"
    certificate = load_yaml_documents(K8S / "optional" / "tls-certificate.yaml")[0]
    assert certificate["kind"] == "Certificate" and certificate["spec"]["secretName"] == "subshift-api-tls"


def test_api_grace_period_covers_the_pre_stop_pause_and_the_drain_deadline(rendered: list[dict[str, Any]]) -> None:
    spec = find(rendered, "Deployment", "subshift-api")["spec"]["template"]["spec"]
    (container,) = spec["containers"]
    pre_stop = float(container["lifecycle"]["preStop"]["exec"]["command"][-1])
    drain = float(_config(rendered)["SUBSHIFT_API_DRAIN_SECONDS"])
    margin = 3.0  # interpreter shutdown and the final log flush
    assert pre_stop + drain + margin <= spec["terminationGracePeriodSeconds"] <= pre_stop + drain + 15


def test_pod_disruption_budgets_select_each_component(rendered: list[dict[str, Any]]) -> None:
    budgets = [doc for doc in rendered if doc["kind"] == "PodDisruptionBudget"]
    covered = set()
    for budget in budgets:
        selector = budget["spec"]["selector"]["matchLabels"]
        for component in COMPONENTS:
            labels = find(rendered, "Deployment", f"subshift-{component}")["spec"]["template"]["metadata"]["labels"]
            if selector.items() <= labels.items():
                covered.add(component)
    assert covered == set(COMPONENTS)


def test_init_job_upgrades_the_database_ensures_topics_then_publishes_the_contracts(
    rendered: list[dict[str, Any]],
) -> None:
    job = find(rendered, "Job", "subshift-init")
    steps = [container["args"] for container in containers_of(job)]
    assert steps == [["db", "upgrade"], ["topics", "ensure"], ["contracts", "publish"]]


def test_configuration_and_secret_keys_are_real_settings(rendered: list[dict[str, Any]]) -> None:
    known = setting_env_names()
    config_keys = set(_config(rendered))
    secret_keys = set(find(rendered, "Secret", "subshift-secrets")["stringData"])
    assert config_keys - known == set()
    assert secret_keys - known == set()
    # Secrets stay out of the ConfigMap.
    assert "SUBSHIFT_DATABASE_URL" in secret_keys
    assert "SUBSHIFT_AUTH_HS256_SECRET" not in secret_keys | config_keys, "production has no shared token secret"
    assert not config_keys & secret_keys


def test_purge_cron_job_purges_finished_migrations_items_hourly_one_run_at_a_time(
    rendered: list[dict[str, Any]],
) -> None:
    cron = find(rendered, "CronJob", "subshift-purge")
    assert [container["args"] for container in containers_of(cron)] == [["db", "purge"]]
    assert cron["spec"]["concurrencyPolicy"] == "Forbid"
    assert cron["spec"]["schedule"].split()[1:] == ["*", "*", "*", "*"]
    assert int(_config(rendered)["SUBSHIFT_RETENTION_ITEMS_DAYS"]) >= 1


_POD_KINDS = {"init": "Job", "purge": "CronJob"}


@pytest.mark.parametrize("component", [*COMPONENTS, *_POD_KINDS])
def test_pods_read_configuration_and_secrets_from_the_two_objects(
    rendered: list[dict[str, Any]], component: str
) -> None:
    kind = _POD_KINDS.get(component, "Deployment")
    for container in containers_of(find(rendered, kind, f"subshift-{component}")):
        sources = {next(iter(source)): next(iter(source.values()))["name"] for source in container["envFrom"]}
        assert sources == {"configMapRef": "subshift-config", "secretRef": "subshift-secrets"}
        assert container["image"].startswith("subshift:")
