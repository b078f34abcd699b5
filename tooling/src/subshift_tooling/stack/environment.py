"""The client settings that point at the local stack, as shell ``export`` lines (pure)."""

from __future__ import annotations

import shlex
from urllib.parse import quote

from subshift.config.stack import StackSettings
from subshift.errors import NotFoundError
from subshift_tooling.stack.kafka_auth import ADMIN, PRINCIPALS, client_variables, passwords_for
from subshift_tooling.stack.kafka_config import bootstrap_servers, kafka_nodes
from subshift_tooling.stack.paths import StackPaths
from subshift_tooling.stack.registry import CCOMPAT_PATH

__all__ = ["client_environment", "export_lines"]


def client_environment(settings: StackSettings, paths: StackPaths, *, principal: str = ADMIN) -> dict[str, str]:
    """``SUBSHIFT_*`` client variables (Kafka, registry, database) that match the stack's configuration; with
    Kafka authentication, those of ``principal`` (``stack.kafka_auth``), the operator's ``admin`` by default.

    Raises:
        NotFoundError: ``principal`` is not one of the stack's Kafka principals.
        InfrastructureError: the principals' passwords cannot be read.
    """
    auth = settings.kafka_auth == "scram"
    kafka_dir = paths.kafka_dir(settings.kafka_brokers, auth=auth)
    nodes = kafka_nodes(
        host=settings.host, port=settings.kafka_port, controller_port=settings.kafka_controller_port,
        count=settings.kafka_brokers, kafka_dir=kafka_dir,
    )
    kafka = {}
    if auth:
        if principal not in PRINCIPALS:
            raise NotFoundError(f"no Kafka principal {principal!r}; choose from {', '.join(PRINCIPALS)}")
        formatted = any((node.log_dir / "meta.properties").exists() for node in nodes)
        kafka = client_variables(principal, passwords_for(kafka_dir, formatted=formatted)[principal])
    password = quote(settings.postgres_password.get_secret_value(), safe="")
    return {
        **kafka,
        "SUBSHIFT_KAFKA_BOOTSTRAP": bootstrap_servers(nodes),
        "SUBSHIFT_REGISTRY_URL": f"http://{settings.host}:{settings.registry_port}{CCOMPAT_PATH}",
        "SUBSHIFT_DATABASE_URL": (
            f"postgresql+psycopg2://{settings.postgres_user}:{password}@{settings.host}:{settings.postgres_port}"
            f"/{settings.postgres_database}"
        ),
    }


def export_lines(variables: dict[str, str]) -> str:
    """One ``export NAME=value`` line per variable, quoted for POSIX shells."""
    return "".join(f"export {name}={shlex.quote(value)}\n" for name, value in variables.items())
