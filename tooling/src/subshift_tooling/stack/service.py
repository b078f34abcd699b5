"""What the stack needs to know about each server, whatever it is."""

from __future__ import annotations

from typing import Protocol

from subshift_tooling.stack.process import ManagedProcess

__all__ = ["Service"]


class Service(Protocol):
    """One local server (possibly several processes, e.g. Kafka nodes)."""

    @property
    def name(self) -> str: ...

    @property
    def endpoint(self) -> str:
        """Where clients connect (redacted of secrets)."""
        ...

    @property
    def ports(self) -> list[int]:
        """Every port its processes listen on."""
        ...

    def processes(self) -> list[ManagedProcess]: ...

    def launch(self) -> None:
        """Start whichever of its processes is not running; returns without waiting for health.

        Raises:
            InfrastructureError: a program is missing or could not be started.
        """
        ...

    def probe(self) -> str | None:
        """None when healthy, otherwise a short reason."""
        ...
