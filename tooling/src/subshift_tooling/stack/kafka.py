"""Apache Kafka in KRaft mode: one process per node, each a combined broker and controller.

Start-up of a node: write its ``server.properties`` and log4j2 file, format its log directory with
Kafka's own StorageTool the first time (one cluster id for the whole local cluster, kept in the state
dir), then run ``kafka.Kafka``. Healthy means a metadata request answers with every broker.

With ``SUBSHIFT_STACK_KAFKA_AUTH=scram`` formatting also writes each principal's SCRAM credentials
into the cluster's metadata, the stack talks to the brokers as ``admin``, and ``grant`` installs the
ACLs of ``stack.kafka_auth`` once the cluster answers.
"""

from __future__ import annotations

import base64
import os
import subprocess
import uuid
from collections.abc import Sequence
from pathlib import Path

from confluent_kafka import KafkaException
from confluent_kafka.admin import (  # type: ignore[attr-defined]  # re-exported
    AclBinding,
    AclOperation,
    AclPermissionType,
    AdminClient,
    ResourcePatternType,
    ResourceType,
)

from subshift.config.stack import StackSettings
from subshift.errors import InfrastructureError
from subshift_tooling.stack.kafka_auth import ADMIN, MECHANISM, PRINCIPALS, PROTOCOL, AclRule, passwords_for
from subshift_tooling.stack.kafka_config import (
    KafkaNode,
    bootstrap_servers,
    kafka_nodes,
    render_log4j2,
    render_server_properties,
)
from subshift_tooling.stack.paths import StackPaths
from subshift_tooling.stack.process import ManagedProcess
from subshift_tooling.stack.tools import find_java

__all__ = ["KafkaService"]

_MAIN_CLASS = "kafka.Kafka"
_STORAGE_TOOL = "kafka.tools.StorageTool"


def _new_cluster_id() -> str:
    # Kafka's Uuid text form: URL-safe base64 of 16 random bytes, unpadded. Like Kafka's own
    # Uuid.randomUuid, never one that starts with "-": the storage tool would read it as an option and
    # refuse to format (one fresh cluster in 64).
    while True:
        cluster_id = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode("ascii").rstrip("=")
        if not cluster_id.startswith("-"):
            return cluster_id


class KafkaService:
    """The local Kafka cluster (1 node by default, ``SUBSHIFT_STACK_KAFKA_BROKERS`` for more)."""

    def __init__(self, paths: StackPaths, settings: StackSettings) -> None:
        self._paths = paths
        self._settings = settings
        self._auth = settings.kafka_auth == "scram"
        self._dir = paths.kafka_dir(settings.kafka_brokers, auth=self._auth)
        self._nodes = kafka_nodes(
            host=settings.host, port=settings.kafka_port, controller_port=settings.kafka_controller_port,
            count=settings.kafka_brokers, kafka_dir=self._dir,
        )

    @property
    def name(self) -> str:
        return "kafka"

    @property
    def endpoint(self) -> str:
        return bootstrap_servers(self._nodes)

    @property
    def ports(self) -> list[int]:
        return [port for node in self._nodes for port in (node.port, node.controller_port)]

    def _process_name(self, node: KafkaNode) -> str:
        return "kafka" if len(self._nodes) == 1 else f"kafka-{node.node_id}"

    def _process(self, node: KafkaNode) -> ManagedProcess:
        name = self._process_name(node)
        return ManagedProcess(
            name=name, pid_file=self._paths.pid_file(name), log_file=self._paths.log_file(name),
            marker=str(self._node_dir(node) / "server.properties"),
        )

    def _node_dir(self, node: KafkaNode) -> Path:
        return self._paths.kafka_node_dir(len(self._nodes), node.node_id, auth=self._auth)

    def _passwords(self) -> dict[str, str] | None:
        if not self._auth:
            return None
        return passwords_for(self._dir, formatted=any((n.log_dir / "meta.properties").exists() for n in self._nodes))

    def client_conf(self, principal: str = ADMIN) -> dict[str, str]:
        """librdkafka settings that reach the cluster as ``principal`` (no principal without authentication).

        Raises:
            InfrastructureError: the principals' passwords cannot be read.
        """
        conf = {"bootstrap.servers": self.endpoint}
        passwords = self._passwords()
        if passwords is not None:
            conf |= {"security.protocol": PROTOCOL, "sasl.mechanism": MECHANISM, "sasl.username": principal,
                     "sasl.password": passwords[principal]}
        return conf

    def processes(self) -> list[ManagedProcess]:
        return [self._process(node) for node in self._nodes]

    def _classpath(self) -> str:
        libs = self._paths.kafka_libs(self._settings.kafka_version)
        if not libs.is_dir():
            raise InfrastructureError(
                f"Kafka {self._settings.kafka_version} is not in {libs}; run `subshift stack fetch`",
                retryable=False,
            )
        return str(libs / "*")

    def _cluster_id(self) -> str:
        path = self._paths.kafka_cluster_id_file(len(self._nodes), auth=self._auth)
        if path.exists():
            return path.read_text(encoding="utf-8").strip()
        path.parent.mkdir(parents=True, exist_ok=True)
        cluster_id = _new_cluster_id()
        path.write_text(cluster_id + "\n", encoding="utf-8")
        return cluster_id

    def _java_env(self) -> dict[str, str]:
        return {key: value for key, value in os.environ.items() if not key.startswith("KAFKA_")}

    def _format(self, java: Path, node: KafkaNode, properties: Path, passwords: dict[str, str] | None) -> None:
        if (node.log_dir / "meta.properties").exists():
            return
        # SCRAM credentials are metadata records: written here, before the first start, for every principal.
        # StorageTool takes them only as arguments, so for these seconds they show in this machine's
        # process list: acceptable for a development stack on loopback, not a way to provision a cluster.
        scram = [arg for name in PRINCIPALS for arg in ("--add-scram", f"{MECHANISM}=[name={name},password="
                                                        f"{passwords[name]}]")] if passwords else []
        completed = subprocess.run(
            [str(java), "-Xmx256m", f"-Dlog4j2.configurationFile={properties.parent / 'log4j2.properties'}",
             "-cp", self._classpath(), _STORAGE_TOOL, "format", "--cluster-id", self._cluster_id(),
             "--config", str(properties), "--ignore-formatted", *scram],
            stdin=subprocess.DEVNULL, capture_output=True, text=True, env=self._java_env(), check=False,
        )
        if completed.returncode != 0:
            output = (completed.stdout + completed.stderr)[-2000:]
            raise InfrastructureError(
                f"Kafka's StorageTool could not format {node.log_dir}:\n{output}", retryable=False
            )

    def java(self) -> Path:
        """The ``java`` that runs the brokers (Kafka 4 needs Java 17+).

        Raises:
            InfrastructureError: no suitable JDK.
        """
        return find_java(minimum=17, configured=self._settings.java_home, setting="SUBSHIFT_STACK_JAVA_HOME")

    def launch(self) -> None:
        """Configure, format (first time) and start every node that is not running.

        Raises:
            InfrastructureError: no Java 17+, Kafka not fetched, formatting failed or the JVM did not start.
        """
        java = self.java()
        passwords = self._passwords()
        for node in self._nodes:
            process = self._process(node)
            if process.pid() is not None:
                continue
            node_dir = self._node_dir(node)
            node_dir.mkdir(parents=True, exist_ok=True)
            properties = node_dir / "server.properties"
            text = render_server_properties(node, self._nodes,
                                            admin_password=passwords[ADMIN] if passwords is not None else None)
            # Owner-only: with authentication the file holds the admin password.
            with os.fdopen(os.open(properties, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w",
                           encoding="utf-8") as handle:
                handle.write(text)
            log4j = node_dir / "log4j2.properties"
            log4j.write_text(render_log4j2(), encoding="utf-8")
            self._format(java, node, properties, passwords)
            heap = self._settings.kafka_heap
            # The JIT's first tier only: a broker sharing two cores with the database and the services
            # otherwise spends minutes compiling with C2 after each start, at the expense of whatever
            # runs meanwhile; that costs more than C2's faster code saves once warm
            # (docs/performance/broker-first-jit-tier.md).
            process.start(
                [str(java), f"-Xmx{heap}", "-Xms256m", "-XX:+UseG1GC", "-XX:MaxGCPauseMillis=20",
                 "-XX:TieredStopAtLevel=1", "-XX:+ExplicitGCInvokesConcurrent", "-Djava.awt.headless=true",
                 f"-Dlog4j2.configurationFile={log4j}", "-cp", self._classpath(), _MAIN_CLASS, str(properties)],
                env=self._java_env(), cwd=node_dir,
            )

    def probe(self) -> str | None:
        """None when a metadata request lists every broker of the cluster."""
        admin = AdminClient({**self.client_conf(), "log_level": 0, "socket.timeout.ms": 2000})
        try:
            metadata = admin.list_topics(timeout=2)
        except KafkaException as error:
            return f"no metadata answer ({error.args[0].str() if error.args else error})"
        if len(metadata.brokers) < len(self._nodes):
            return f"{len(metadata.brokers)} of {len(self._nodes)} brokers registered"
        return None

    def grant(self, rules: Sequence[AclRule]) -> None:
        """Install ``rules`` as ALLOW ACLs (already present ones stay; a no-op without authentication).

        Raises:
            InfrastructureError: the cluster refused or did not answer in time.
        """
        if not self._auth:
            return
        admin = AdminClient({**self.client_conf(), "log_level": 0})
        bindings = [AclBinding(_RESOURCE[r.resource], r.name, _PATTERN[r.pattern], f"User:{r.principal}", "*",
                               _OPERATION[r.operation], AclPermissionType.ALLOW) for r in rules]
        try:
            for future in admin.create_acls(bindings, request_timeout=30).values():
                future.result()
        except KafkaException as error:
            raise InfrastructureError(f"Kafka did not take the stack's ACLs: {error}", retryable=True) from error


_RESOURCE = {"topic": ResourceType.TOPIC, "group": ResourceType.GROUP}
_PATTERN = {"literal": ResourcePatternType.LITERAL, "prefixed": ResourcePatternType.PREFIXED}
_OPERATION = {"read": AclOperation.READ, "write": AclOperation.WRITE, "describe": AclOperation.DESCRIBE}
