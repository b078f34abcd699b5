"""Rendering each Kafka node's server.properties (no broker needed)."""

from __future__ import annotations

from pathlib import Path

from subshift_tooling.stack.kafka_config import KafkaNode, bootstrap_servers, kafka_nodes, render_server_properties


def _parse(text: str) -> dict[str, str]:
    pairs = (line.split("=", 1) for line in text.splitlines() if line and not line.startswith("#"))
    return {key: value for key, value in pairs}


def _nodes(count: int) -> list[KafkaNode]:
    return kafka_nodes(host="127.0.0.1", port=9092, controller_port=19092, count=count, kafka_dir=Path("/s/kafka"))


def test_single_node_is_a_combined_broker_and_controller_on_loopback() -> None:
    [node] = _nodes(1)
    props = _parse(render_server_properties(node, [node]))
    assert props["process.roles"] == "broker,controller"
    assert props["node.id"] == "1"
    assert props["controller.quorum.voters"] == "1@127.0.0.1:19092"
    assert props["listeners"] == "PLAINTEXT://127.0.0.1:9092,CONTROLLER://127.0.0.1:19092"
    assert props["advertised.listeners"] == "PLAINTEXT://127.0.0.1:9092"
    assert props["log.dirs"] == "/s/kafka/node-1/data"


def test_single_node_internal_topics_have_one_replica() -> None:
    [node] = _nodes(1)
    props = _parse(render_server_properties(node, [node]))
    for key in ("offsets.topic.replication.factor", "transaction.state.log.replication.factor",
                "default.replication.factor", "transaction.state.log.min.isr", "min.insync.replicas"):
        assert props[key] == "1", key


def test_topics_are_never_created_implicitly() -> None:
    [node] = _nodes(1)
    assert _parse(render_server_properties(node, [node]))["auto.create.topics.enable"] == "false"


def test_three_nodes_use_consecutive_ports_and_replicate_internal_topics() -> None:
    nodes = _nodes(3)
    props = _parse(render_server_properties(nodes[2], nodes))
    assert props["node.id"] == "3"
    assert props["listeners"] == "PLAINTEXT://127.0.0.1:9094,CONTROLLER://127.0.0.1:19094"
    assert props["controller.quorum.voters"] == "1@127.0.0.1:19092,2@127.0.0.1:19093,3@127.0.0.1:19094"
    assert props["offsets.topic.replication.factor"] == "3"
    assert props["min.insync.replicas"] == "2"
    assert bootstrap_servers(nodes) == "127.0.0.1:9092,127.0.0.1:9093,127.0.0.1:9094"


def test_with_authentication_clients_use_scram_the_controllers_plain_and_no_acl_means_no() -> None:
    [node] = _nodes(1)
    props = _parse(render_server_properties(node, [node], admin_password="s3cret"))
    assert props["listeners"] == "SASL_PLAINTEXT://127.0.0.1:9092,CONTROLLER://127.0.0.1:19092"
    assert props["advertised.listeners"] == "SASL_PLAINTEXT://127.0.0.1:9092"
    assert props["listener.security.protocol.map"] == "SASL_PLAINTEXT:SASL_PLAINTEXT,CONTROLLER:SASL_PLAINTEXT"
    assert props["sasl.enabled.mechanisms"] == "SCRAM-SHA-512"
    assert props["sasl.mechanism.controller.protocol"] == "PLAIN"
    assert props["authorizer.class.name"] == "org.apache.kafka.metadata.authorizer.StandardAuthorizer"
    assert props["allow.everyone.if.no.acl.found"] == "false"
    assert props["super.users"] == "User:admin"
    assert 'password="s3cret"' in props["listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config"]


def test_without_authentication_there_is_no_sasl_and_no_authorizer() -> None:
    [node] = _nodes(1)
    props = _parse(render_server_properties(node, [node]))
    assert not [key for key in props if "sasl" in key or "authorizer" in key or key == "super.users"]
