"""The faults tier's own local stack: the same servers as ``subshift stack up``, on other ports and state.

Scenarios stop, kill and restart PostgreSQL, Kafka and the registry; doing that to the shared stack
(``.subshift/``, ports 5433/9092/8081) would break every other test running on this machine. So the
tier runs its own stack under ``.subshift/faults`` with ports from ``SUBSHIFT_FAULTS_PORT_BASE``
(default 26000: Kafka 26092, its controller 26192, registry 26081/26091, PostgreSQL 26433; the
three-node cluster 26292-26294 with controllers 26392-26394). The ports lie below Linux's ephemeral
range (32768-60999), where an outgoing connection of any process on the machine could hold one. It is
left running between sessions when ``SUBSHIFT_FAULTS_KEEP_STACK=1`` (quicker reruns) and stopped otherwise.

The three-node cluster runs with authentication and ACLs (``SUBSHIFT_STACK_KAFKA_AUTH=scram``): its
scenarios run the relay and the consumer as their own principals, as a production cluster would.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from pydantic import SecretStr

from subshift.config import DatabaseSettings, KafkaSettings, RegistrySettings, Settings
from subshift.config.stack import StackSettings
from subshift_tooling.stack.control import LocalStack
from subshift_tooling.stack.environment import client_environment
from subshift_tooling.stack.health import wait_healthy
from subshift_tooling.stack.kafka import KafkaService
from subshift_tooling.stack.paths import StackPaths

__all__ = ["REPO", "PrivateStack", "private_settings"]

REPO = Path(__file__).resolve().parents[3]


def _base() -> int:
    return int(os.environ.get("SUBSHIFT_FAULTS_PORT_BASE", "26000"))


def _stack_settings(stack: StackSettings, *, brokers: int = 1, auth: bool = False) -> StackSettings:
    base = _base()
    kafka_port = base + (92 if brokers == 1 else 292)
    return stack.model_copy(update={
        "kafka_port": kafka_port, "kafka_controller_port": kafka_port + 100, "kafka_brokers": brokers,
        "kafka_auth": "scram" if auth else "none",
        "registry_port": base + 81, "registry_management_port": base + 91, "postgres_port": base + 433,
        "kafka_heap": "512m", "start_timeout": 240.0, "stop_timeout": 20.0,
    })


def _pointed(settings: Settings, stack: StackSettings) -> Settings:
    """``settings`` with every client section pointing at ``stack``."""
    paths = StackPaths.create(settings.state_dir, stack.cache_dir)
    env = client_environment(stack, paths)  # with authentication: the admin principal's
    kafka = KafkaSettings(bootstrap=env["SUBSHIFT_KAFKA_BOOTSTRAP"])
    if "SUBSHIFT_KAFKA_SASL_PASSWORD" in env:
        kafka = KafkaSettings(bootstrap=env["SUBSHIFT_KAFKA_BOOTSTRAP"],
                              security_protocol=env["SUBSHIFT_KAFKA_SECURITY_PROTOCOL"],
                              sasl_mechanism=env["SUBSHIFT_KAFKA_SASL_MECHANISM"],
                              sasl_username=env["SUBSHIFT_KAFKA_SASL_USERNAME"],
                              sasl_password=SecretStr(env["SUBSHIFT_KAFKA_SASL_PASSWORD"]))
    return settings.model_copy(update={
        "stack": stack,
        "kafka": kafka,
        "registry": RegistrySettings(url=env["SUBSHIFT_REGISTRY_URL"]),
        "database": DatabaseSettings(url=SecretStr(env["SUBSHIFT_DATABASE_URL"])),
    })


def private_settings(settings: Settings) -> Settings:
    """Settings of the private stack (state under ``.subshift/faults``), clients pointing at it."""
    moved = settings.model_copy(update={"state_dir": REPO / ".subshift" / "faults"})
    return _pointed(moved, _stack_settings(settings.stack))


@dataclass
class PrivateStack:
    """The running private stack and the controls scenarios use to break it."""

    settings: Settings

    @property
    def local(self) -> LocalStack:
        return LocalStack(self.settings)

    def up(self) -> None:
        self.local.up()

    def stop(self, service: str) -> None:
        """Stop one server (SIGTERM, then SIGKILL after the stop timeout)."""
        self.local.down([service])

    def start(self, service: str) -> None:
        """Start one server again and wait until it is healthy."""
        stack = self.local
        chosen = stack.select([service])[0]
        chosen.launch()
        wait_healthy([chosen], timeout=self.settings.stack.start_timeout)

    def down(self) -> None:
        self.local.down()

    def three_node_kafka(self) -> tuple[KafkaService, Settings]:
        """A three-node KRaft cluster beside the single node (same state dir, own ports and data), with
        authentication and ACLs; the settings returned are the admin's."""
        stack = _stack_settings(self.settings.stack, brokers=3, auth=True)
        paths = StackPaths.create(self.settings.state_dir, stack.cache_dir)
        pointed = _pointed(self.settings, stack)
        # Only Kafka moves: PostgreSQL and the registry stay those of the private stack.
        return KafkaService(paths, stack), self.settings.model_copy(update={"kafka": pointed.kafka})
