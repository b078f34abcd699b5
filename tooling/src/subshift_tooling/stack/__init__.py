"""The local stack: Apache Kafka (KRaft), Apicurio Registry and PostgreSQL as plain processes.

``LocalStack`` is the whole API; the CLI (``subshift stack``) and the test fixtures use it.
"""

from __future__ import annotations

from subshift_tooling.stack.control import LocalStack, ServiceStatus
from subshift_tooling.stack.environment import client_environment, export_lines

__all__ = ["LocalStack", "ServiceStatus", "client_environment", "export_lines"]
