"""The stack as a whole: bring it up in dependency order, take it down, report on it.

Order of ``up`` (each step skipped when already done):
1. check that no port we are about to listen on is held by someone else;
2. fetch Kafka and the registry into the cache;
3. start PostgreSQL, wait for it, create the databases (the registry stores its data there);
4. start Kafka and the registry side by side, then wait for both;
5. with Kafka authentication on, grant each principal what it may do (``stack.kafka_auth``).
"""

from __future__ import annotations

from dataclasses import dataclass

from subshift.config import Settings
from subshift.config.stack import StackSettings
from subshift.errors import InfrastructureError, NotFoundError
from subshift.messaging.topic_names import dead_letter_topic, user_offers_topic
from subshift_tooling.stack.artifacts import fetch_all
from subshift_tooling.stack.health import wait_healthy
from subshift_tooling.stack.kafka import KafkaService
from subshift_tooling.stack.kafka_auth import acl_rules
from subshift_tooling.stack.paths import StackPaths
from subshift_tooling.stack.ports import listening_pid, port_holder, port_in_use
from subshift_tooling.stack.postgres import PostgresService
from subshift_tooling.stack.process import ManagedProcess
from subshift_tooling.stack.registry import RegistryService
from subshift_tooling.stack.service import Service

__all__ = ["LocalStack", "ServiceStatus"]


@dataclass(frozen=True)
class ServiceStatus:
    name: str
    endpoint: str
    pids: list[int]
    problem: str | None  # None: healthy

    @property
    def healthy(self) -> bool:
        return self.problem is None


class LocalStack:
    """PostgreSQL, Kafka and the registry, as configured in ``settings.stack``."""

    def __init__(self, settings: Settings) -> None:
        self.paths = StackPaths.create(settings.state_dir, settings.stack.cache_dir)
        self.settings = settings.model_copy(update={"stack": self._remembered_topology(settings.stack)})
        self.postgres = PostgresService(self.paths, self.settings.stack)
        self.kafka = KafkaService(self.paths, self.settings.stack)
        self.registry = RegistryService(self.paths, self.settings.stack)

    def _remembered_topology(self, stack: StackSettings) -> StackSettings:
        # `up --brokers 3` is remembered, so that a later `status`, `env` or `down` without the flag
        # talks about the cluster that is actually there; an explicit setting or flag always wins.
        if "kafka_brokers" in stack.model_fields_set:
            return stack
        try:
            brokers = int(self.paths.kafka_brokers_file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return stack
        return stack.model_copy(update={"kafka_brokers": brokers})

    @property
    def services(self) -> list[Service]:
        return [self.postgres, self.kafka, self.registry]

    def select(self, names: list[str]) -> list[Service]:
        """The services named (all when ``names`` is empty).

        Raises:
            NotFoundError: a name is not one of the stack's services.
        """
        known = {service.name: service for service in self.services}
        unknown = [name for name in names if name not in known]
        if unknown:
            raise NotFoundError(f"unknown service {', '.join(unknown)}; choose from {', '.join(known)}")
        return [known[name] for name in names] if names else self.services

    def fetch(self) -> list[str]:
        """Download what is not cached yet and check that Java can run both; returns what was found.

        Raises:
            InfrastructureError: Maven or a suitable Java is missing, or an artifact cannot be fetched.
        """
        kafka_libs, registry_home = fetch_all(self.paths, self.settings.stack)
        return [f"Kafka {self.settings.stack.kafka_version}: {kafka_libs} (java: {self.kafka.java()})",
                f"Apicurio Registry {self.settings.stack.registry_version}: {registry_home} "
                f"(java: {self.registry.java()})"]

    def _check_ports(self) -> None:
        host = self.settings.stack.host
        ours = {pid: process.name for process in self._other_kafka_nodes() if (pid := process.pid()) is not None}
        for service in self.services:
            if any(process.pid() is not None for process in service.processes()):
                continue  # ours and running: its ports are rightly taken
            for port in service.ports:
                if not port_in_use(host, port):
                    continue
                pid = listening_pid(port)
                if pid in ours:
                    raise InfrastructureError(
                        f"port {port} is held by {ours[pid]}, a node of this stack's Kafka cluster of another "
                        f"size; stop it with `subshift stack down`, then `up` with "
                        f"{self.settings.stack.kafka_brokers} node(s)",
                        retryable=False,
                    )
                holder = port_holder(port) or "another process"
                raise InfrastructureError(
                    f"port {port} ({service.name}) on {host} is taken by {holder}; stop it or choose another "
                    f"port (see `subshift stack up --help` and the SUBSHIFT_STACK_* settings)",
                    retryable=False,
                )

    def up(self) -> list[ServiceStatus]:
        """Bring every service up and healthy (quick when it already is).

        Raises:
            InfrastructureError: a port is taken, a program or artifact is missing, or a server did not
                become healthy in time (the message carries its log tail).
        """
        timeout = self.settings.stack.start_timeout
        current = self.status()
        if all(status.healthy for status in current):
            return current
        self._check_ports()
        self.paths.state_dir.mkdir(parents=True, exist_ok=True)
        self.paths.kafka_brokers_file.write_text(f"{self.settings.stack.kafka_brokers}\n", encoding="utf-8")
        self.fetch()
        self.postgres.launch()
        wait_healthy([self.postgres], timeout=timeout)
        self.postgres.ensure_databases()
        self.kafka.launch()
        self.registry.launch()
        wait_healthy([self.kafka, self.registry], timeout=timeout)
        spec = user_offers_topic(self.settings.kafka)
        self.kafka.grant(acl_rules(topic=spec.name, dead_letter_topic=dead_letter_topic(spec),
                                   consumer_group=self.settings.consumer.group_id))
        return self.status()

    def down(self, names: list[str] | None = None) -> list[str]:
        """Stop the named services (all by default), dependents first; returns those that were running.

        Raises:
            NotFoundError: an unknown service name.
        """
        chosen = self.select(names or [])
        stopped = []
        for service in reversed(self.services):  # the registry before the database it writes to
            if service not in chosen:
                continue
            for process in service.processes():
                if process.stop(timeout=self.settings.stack.stop_timeout):
                    stopped.append(process.name)
            if service is self.kafka and not names:
                # Stopping everything includes a cluster of another size started from this state dir
                # (clusters of two sizes may run side by side on their own ports).
                stopped.extend(self._stop_other_kafka_nodes())
        return stopped

    def _other_kafka_nodes(self) -> list[ManagedProcess]:
        """Running nodes of a Kafka cluster of another size (e.g. left from `up --brokers 3`)."""
        known = {process.pid_file for process in self.kafka.processes()}
        others = (
            ManagedProcess(pid_file.stem, pid_file, self.paths.log_file(pid_file.stem), marker="kafka.Kafka")
            for pid_file in sorted(self.paths.run_dir.glob("kafka*.pid")) if pid_file not in known
        )
        return [process for process in others if process.pid() is not None]

    def _stop_other_kafka_nodes(self) -> list[str]:
        stopped = []
        for process in self._other_kafka_nodes():
            if process.stop(timeout=self.settings.stack.stop_timeout):
                stopped.append(process.name)
        return stopped

    def status(self) -> list[ServiceStatus]:
        """Each service with its endpoint, its running pids and its health."""
        result = []
        for service in self.services:
            pids = [pid for process in service.processes() if (pid := process.pid()) is not None]
            problem = service.probe() if pids else "not running"
            result.append(ServiceStatus(service.name, service.endpoint, pids, problem))
        return result
