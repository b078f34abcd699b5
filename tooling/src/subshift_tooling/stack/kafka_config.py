"""The configuration of each local Kafka node, as data and as ``server.properties`` text (pure).

Every node is a combined broker+controller in KRaft mode on loopback. With one node the internal
topics have one replica; with three, three replicas and ``min.insync.replicas=2`` so that acks=all
means a write is on two machines' worth of logs before it is acknowledged.

With authentication (an ``admin_password``) the client listener takes SASL/SCRAM-SHA-512 and the
controller listener SASL/PLAIN (a controller authenticates before it has read the metadata that holds
SCRAM credentials, so its one user, the brokers' ``admin``, is in its JAAS configuration); KRaft's
StandardAuthorizer then refuses whatever no ACL allows (``stack.kafka_auth`` has the rules).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from subshift_tooling.stack.kafka_auth import ADMIN, MECHANISM

__all__ = ["KafkaNode", "bootstrap_servers", "kafka_nodes", "render_log4j2", "render_server_properties"]


@dataclass(frozen=True)
class KafkaNode:
    node_id: int
    host: str
    port: int
    controller_port: int
    log_dir: Path

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"


def kafka_nodes(*, host: str, port: int, controller_port: int, count: int, kafka_dir: Path) -> list[KafkaNode]:
    """Nodes 1..count on consecutive ports starting at ``port`` and ``controller_port``."""
    return [
        KafkaNode(
            node_id=index + 1,
            host=host,
            port=port + index,
            controller_port=controller_port + index,
            log_dir=kafka_dir / f"node-{index + 1}" / "data",
        )
        for index in range(count)
    ]


def bootstrap_servers(nodes: list[KafkaNode]) -> str:
    return ",".join(node.address for node in nodes)


def _authenticated(admin_password: str) -> dict[str, str | int]:
    scram = "org.apache.kafka.common.security.scram.ScramLoginModule"
    plain = "org.apache.kafka.common.security.plain.PlainLoginModule"
    login = f'username="{ADMIN}" password="{admin_password}"'
    return {
        "listener.security.protocol.map": "SASL_PLAINTEXT:SASL_PLAINTEXT,CONTROLLER:SASL_PLAINTEXT",
        "inter.broker.listener.name": "SASL_PLAINTEXT",
        "sasl.enabled.mechanisms": MECHANISM,
        "sasl.mechanism.inter.broker.protocol": MECHANISM,
        f"listener.name.sasl_plaintext.{MECHANISM.lower()}.sasl.jaas.config": f"{scram} required {login};",
        "sasl.mechanism.controller.protocol": "PLAIN",
        "listener.name.controller.sasl.enabled.mechanisms": "PLAIN",
        "listener.name.controller.plain.sasl.jaas.config":
            f'{plain} required {login} user_{ADMIN}="{admin_password}";',
        "authorizer.class.name": "org.apache.kafka.metadata.authorizer.StandardAuthorizer",
        "allow.everyone.if.no.acl.found": "false",
        "super.users": f"User:{ADMIN}",
    }


def render_server_properties(node: KafkaNode, cluster: list[KafkaNode], *, admin_password: str | None = None) -> str:
    """``server.properties`` for ``node`` in ``cluster`` (the cluster includes the node); with ``admin_password``,
    clients must authenticate and ACLs apply (the text then holds a secret: write it owner-only)."""
    replicas = min(3, len(cluster))
    min_isr = 2 if replicas >= 3 else 1
    voters = ",".join(f"{n.node_id}@{n.host}:{n.controller_port}" for n in cluster)
    settings: dict[str, str | int] = {
        "process.roles": "broker,controller",
        "node.id": node.node_id,
        "controller.quorum.voters": voters,
        "listeners": f"PLAINTEXT://{node.host}:{node.port},CONTROLLER://{node.host}:{node.controller_port}",
        "advertised.listeners": f"PLAINTEXT://{node.host}:{node.port}",
        "controller.listener.names": "CONTROLLER",
        "inter.broker.listener.name": "PLAINTEXT",
        "listener.security.protocol.map": "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
        "log.dirs": str(node.log_dir),
        # Topics come from contracts/subjects.yaml through `subshift topics`, never from a typo in a client.
        "auto.create.topics.enable": "false",
        "num.partitions": 1,
        "default.replication.factor": replicas,
        "min.insync.replicas": min_isr,
        "offsets.topic.replication.factor": replicas,
        "offsets.topic.num.partitions": 10,
        "transaction.state.log.replication.factor": replicas,
        "transaction.state.log.min.isr": min_isr,
        "transaction.state.log.num.partitions": 10,
        "share.coordinator.state.topic.replication.factor": replicas,
        "share.coordinator.state.topic.min.isr": min_isr,
        # A local stack serves tests: no 3-second wait before the first consumer group rebalance.
        "group.initial.rebalance.delay.ms": 0,
        "delete.topic.enable": "true",
    }
    if admin_password is not None:
        client = f"SASL_PLAINTEXT://{node.host}:{node.port}"
        settings |= {"listeners": f"{client},CONTROLLER://{node.host}:{node.controller_port}",
                     "advertised.listeners": client, **_authenticated(admin_password)}
    header = f"# Generated by `subshift stack up` for node {node.node_id}; edits are overwritten.\n"
    return header + "".join(f"{key}={value}\n" for key, value in settings.items())


def render_log4j2() -> str:
    """log4j2 configuration: INFO to stdout (the node's log file), chatty internals at WARN."""
    return "\n".join([
        "status = warn",
        "appender.out.type = Console",
        "appender.out.name = STDOUT",
        "appender.out.layout.type = PatternLayout",
        "appender.out.layout.pattern = [%d] %p %m (%c)%n",
        "rootLogger.level = INFO",
        "rootLogger.appenderRef.out.ref = STDOUT",
        "logger.state.name = state.change.logger",
        "logger.state.level = WARN",
        "logger.log.name = kafka.log",
        "logger.log.level = WARN",
        "logger.raft.name = org.apache.kafka.raft",
        "logger.raft.level = WARN",
        "",
    ])
