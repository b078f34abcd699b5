"""Unknown ``SUBSHIFT_*`` environment variables, found when settings load.

Settings read their sections with ``extra="ignore"``, so a typo (``SUBSHIFT_RELAY_BATCHSIZE``) would do
nothing and say nothing. Every process loads its settings through ``load_settings``, which asks this module
for the variables no setting reads: development warns, naming the closest known setting; production mode
refuses to start, since a setting an operator believes applied and did not is worse than not starting.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping

from pydantic_settings import BaseSettings

__all__ = ["READ_ELSEWHERE", "UnknownVariable", "known_variables", "unknown_variables"]

PREFIX = "SUBSHIFT_"

# Variables with the prefix that are not settings, yet legitimately sit in a process's environment.
READ_ELSEWHERE = frozenset({
    "SUBSHIFT_TOKEN",  # the command line's bearer token
    "SUBSHIFT_CONTRACTS_REPO",  # the contract gate's checkout
    # docker-compose.yml interpolates these in the operator's shell (the brokers' SCRAM passwords)
    "SUBSHIFT_KAFKA_ADMIN_PASSWORD",
    "SUBSHIFT_KAFKA_REGISTRY_PASSWORD",
    "SUBSHIFT_KAFKA_RELAY_PASSWORD",
    "SUBSHIFT_KAFKA_CONSUMER_PASSWORD",
    "SUBSHIFT_KAFKA_REPLAY_PASSWORD",
})
# The test harness passes its own variables to the clients' test runners and the fault suite's stack.
_TEST_PREFIXES = ("SUBSHIFT_TEST_", "SUBSHIFT_FAULTS_", "SUBSHIFT_DIFFERENTIAL_", "SUBSHIFT_GO_",
                  "SUBSHIFT_FIXTURES_")


class UnknownVariable:
    """One ``SUBSHIFT_*`` variable no setting reads, with the known setting it most resembles."""

    __slots__ = ("closest", "name")

    def __init__(self, name: str, closest: str | None) -> None:
        self.name = name
        self.closest = closest

    def __str__(self) -> str:
        hint = f" (did you mean {self.closest}?)" if self.closest else ""
        return f"{self.name} is not a Subshift setting{hint}"

    def __repr__(self) -> str:
        return f"UnknownVariable({self.name!r}, {self.closest!r})"


def known_variables(settings_type: type[BaseSettings]) -> frozenset[str]:
    """Every environment variable ``settings_type`` reads: its own fields and those of its sections."""
    names: set[str] = set()
    prefix = str(settings_type.model_config.get("env_prefix", ""))
    for field_name, field in settings_type.model_fields.items():
        names.add(f"{prefix}{field_name}".upper())
        section = field.annotation
        if isinstance(section, type) and issubclass(section, BaseSettings):
            names |= known_variables(section)
    return frozenset(names)


def unknown_variables(environment: Mapping[str, str], known: Iterable[str]) -> list[UnknownVariable]:
    """The ``SUBSHIFT_*`` names in ``environment`` that are neither in ``known`` nor read elsewhere, sorted."""
    known_names = frozenset(known)
    # Compared without the prefix every name shares, so that only the part a typo is in counts.
    candidates = sorted(name.removeprefix(PREFIX) for name in known_names)
    found = []
    for name in sorted(environment):
        upper = name.upper()  # pydantic-settings matches names case-insensitively
        if (not upper.startswith(PREFIX) or upper in known_names or upper in READ_ELSEWHERE
                or upper.startswith(_TEST_PREFIXES)):
            continue
        closest = difflib.get_close_matches(upper.removeprefix(PREFIX), candidates, n=1, cutoff=0.6)
        found.append(UnknownVariable(name, PREFIX + closest[0] if closest else None))
    return found
