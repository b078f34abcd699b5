"""Subshift's client library: gRPC stubs for ``MigrationService``, Avro records, topics and serdes.

Modules:
- ``subshift_client.migration_v1``: Protobuf messages, enums, ``MigrationServiceStub``, ``required_role_of``.

Everything under ``subshift_client._generated`` is private and rebuilt by ``subshift contracts generate``.
"""

from __future__ import annotations

from subshift_client import migration_v1

__all__ = ["migration_v1"]
