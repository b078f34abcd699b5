"""Apicurio Registry 3 (Quarkus fast-jar) storing its data in the local PostgreSQL.

Clients use its Confluent-compatible API (``/apis/ccompat/v7``). In that API a schema id is the
registry's *content id* (``apicurio.ccompat.legacy-id-mode.enabled=false``, the default), so the same
schema registered twice, under one subject or two, gets the same id, as with Confluent's registry.
Health lives on Quarkus' management interface, a second port, fixed at build time to be enabled.
"""

from __future__ import annotations

import os
from pathlib import Path

import httpx

from subshift.config.stack import StackSettings
from subshift.errors import InfrastructureError
from subshift_tooling.stack.paths import StackPaths
from subshift_tooling.stack.process import ManagedProcess
from subshift_tooling.stack.tools import find_java

__all__ = ["CCOMPAT_PATH", "RegistryService"]

CCOMPAT_PATH = "/apis/ccompat/v7"
# Apicurio 3.3 is compiled for Java 21 (class file version 65).
_MINIMUM_JAVA = 21


class RegistryService:
    """The local schema registry."""

    def __init__(self, paths: StackPaths, settings: StackSettings) -> None:
        self._paths = paths
        self._settings = settings

    @property
    def name(self) -> str:
        return "registry"

    @property
    def endpoint(self) -> str:
        return f"http://{self._settings.host}:{self._settings.registry_port}{CCOMPAT_PATH}"

    @property
    def health_url(self) -> str:
        return f"http://{self._settings.host}:{self._settings.registry_management_port}/health/ready"

    @property
    def ports(self) -> list[int]:
        return [self._settings.registry_port, self._settings.registry_management_port]

    def processes(self) -> list[ManagedProcess]:
        home = self._paths.registry_home(self._settings.registry_version)
        return [
            ManagedProcess(
                name="registry", pid_file=self._paths.pid_file("registry"),
                log_file=self._paths.log_file("registry"), marker=str(home / "quarkus-run.jar"),
            )
        ]

    def _environment(self) -> dict[str, str]:
        s = self._settings
        jdbc = f"jdbc:postgresql://{s.host}:{s.postgres_port}/{s.registry_database}"
        return {
            **os.environ,
            "QUARKUS_HTTP_HOST": s.host,
            "QUARKUS_HTTP_PORT": str(s.registry_port),
            "QUARKUS_MANAGEMENT_HOST": s.host,
            "QUARKUS_MANAGEMENT_PORT": str(s.registry_management_port),
            # One request per line in the log is noise for a local stack.
            "QUARKUS_HTTP_ACCESS_LOG_ENABLED": "false",
            "APICURIO_STORAGE_KIND": "sql",
            "APICURIO_STORAGE_SQL_KIND": "postgresql",
            "APICURIO_DATASOURCE_URL": jdbc,
            "APICURIO_DATASOURCE_USERNAME": s.postgres_user,
            "APICURIO_DATASOURCE_PASSWORD": s.postgres_password.get_secret_value(),
            # The default pool holds 20 connections open; a local stack needs a handful.
            "APICURIO_DATASOURCE_JDBC_INITIAL_SIZE": "2",
            "APICURIO_DATASOURCE_JDBC_MIN_SIZE": "2",
            "APICURIO_DATASOURCE_JDBC_MAX_SIZE": "20",
            # Tests and operators delete subjects (ccompat DELETE); Apicurio refuses by default.
            "APICURIO_REST_DELETION_ARTIFACT_ENABLED": "true",
            "APICURIO_REST_DELETION_ARTIFACT_VERSION_ENABLED": "true",
            "APICURIO_REST_DELETION_GROUP_ENABLED": "true",
        }

    def java(self) -> Path:
        """The ``java`` that runs the registry.

        Raises:
            InfrastructureError: no JDK 21+.
        """
        return find_java(
            minimum=_MINIMUM_JAVA, configured=self._settings.registry_java_home,
            setting="SUBSHIFT_STACK_REGISTRY_JAVA_HOME",
        )

    def launch(self) -> None:
        """Start the registry unless it is running.

        Raises:
            InfrastructureError: no Java 21+, the registry is not fetched, or the JVM did not start.
        """
        process = self.processes()[0]
        if process.pid() is not None:
            return
        home = self._paths.registry_home(self._settings.registry_version)
        jar = home / "quarkus-run.jar"
        if not jar.exists():
            raise InfrastructureError(
                f"Apicurio Registry {self._settings.registry_version} is not in {home}; run `subshift stack fetch`",
                retryable=False,
            )
        java = self.java()
        self._paths.registry_dir.mkdir(parents=True, exist_ok=True)
        process.start(
            [str(java), f"-Xmx{self._settings.registry_heap}", "-Xms64m", "-XX:+UseSerialGC",
             "-Djava.awt.headless=true", "-jar", str(jar)],
            env=self._environment(), cwd=self._paths.registry_dir,
        )

    def probe(self) -> str | None:
        """None when the registry's readiness check (storage included) reports UP."""
        try:
            response = httpx.get(self.health_url, timeout=2.0)
        except httpx.HTTPError as error:
            return f"health endpoint unreachable ({type(error).__name__})"
        if response.status_code != 200:
            return f"health endpoint answered {response.status_code}"
        return None
