"""The ``subshift.migration.v1`` API: messages, enums, the ``MigrationService`` stub and servicer.

Everything the contract declares is re-exported from the generated facade (one list, kept by
the generator), plus ``required_role_of`` to read a method's ``required_role`` option.
"""

from __future__ import annotations

from subshift_client._generated.migration_v1 import *  # noqa: F403  (the generator keeps the list)
from subshift_client._generated.migration_v1 import __all__ as _contract_names
from subshift_client.roles import UnknownMethodError, required_role_of

__all__ = [*_contract_names, "UnknownMethodError", "required_role_of"]
