"""An in-process ``MigrationService`` with scripted answers: the client's own behaviour, without the product's
server (the client against the real server is tested in ``tests/integration/client_package``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import grpc

from subshift_client._generated.subshift.migration.v1 import migration_service_pb2_grpc as service

__all__ = ["Handler", "ScriptedService"]

Handler = Callable[..., Any]


@dataclass
class ScriptedService(service.MigrationServiceServicer):
    """Each method answers with the next entry of its script (a function of request and context)."""

    scripts: dict[str, list[Handler]] = field(default_factory=dict)
    calls: list[tuple[str, Any, dict[str, str]]] = field(default_factory=list)

    def _answer(self, method: str, request: Any, context: grpc.ServicerContext) -> Any:
        metadata = {key: str(value) for key, value in context.invocation_metadata()}
        if method == "CreateMigration":
            request = list(request)  # the whole upload, header first
        self.calls.append((method, request, metadata))
        script = self.scripts[method]
        handler = script.pop(0) if len(script) > 1 else script[0]
        return handler(request, context)

    def __getattribute__(self, name: str) -> Any:
        if name[:1].isupper():
            return lambda request, context: self._answer(name, request, context)
        return super().__getattribute__(name)

