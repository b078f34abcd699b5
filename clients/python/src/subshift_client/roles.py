"""Who may call what: the ``required_role`` option read from the service contract.

The gRPC server enforces roles generically from here, so the contract, not server code,
says which role each method needs.
"""

from __future__ import annotations

from google.protobuf import descriptor_pool

from subshift_client._generated.subshift.migration.v1 import access_pb2
from subshift_client._generated.subshift.migration.v1 import migration_service_pb2 as _service  # registers methods
from subshift_client.errors import UnknownMethodError

__all__ = ["UnknownMethodError", "required_role_of"]

_ = _service  # imported for its side effect: the service's descriptors join the default pool


def required_role_of(method: str) -> access_pb2.Role.ValueType:
    """The least role a caller needs for ``method``.

    ``method`` is the gRPC path a server sees (``/subshift.migration.v1.MigrationService/GetMigration``)
    or the dotted full name (``subshift.migration.v1.MigrationService.GetMigration``). A method
    without the option needs ``ROLE_UNSPECIFIED``, which callers should treat as "deny".

    Raises:
        UnknownMethodError: no such method in the contracts.
    """
    full_name = method.lstrip("/").replace("/", ".")
    try:
        descriptor = descriptor_pool.Default().FindMethodByName(full_name)
    except KeyError as error:
        raise UnknownMethodError(f"no method {full_name!r} in the Subshift contracts") from error
    role: access_pb2.Role.ValueType = descriptor.GetOptions().Extensions[access_pb2.required_role]
    return role
