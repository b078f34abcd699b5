"""What every tier shares: the faults tier's summary, and how tests are spread when they run in parallel.

``scripts/test`` runs pytest with xdist (``-n 3``; tests/README.md#parallel-runs). A work unit runs in
one worker, one test after another, and units run side by side. A test module is a unit, so its module
fixtures are made once. The faults tier is one unit: its scenarios stop and kill the servers of a
private stack they share. Everything else is isolated already (a database, topics and consumer group
per session or test, free ports), and no test outside the faults tier stops a server of the shared stack.
"""

from __future__ import annotations

from typing import Any

import pytest

pytest_plugins = ["tests.faults.faultkit.summary"]

_FAULTS = "tests/faults/"
# Units are handed out in collection order: the long waits first (the faults tier, then the integration
# tests), the many short unit tests last, where they fill the workers' gaps at the end.
_ORDER = (_FAULTS, "tests/integration/", "compat_tests/", "tests/security/", "tests/unit/")


def _rank(item: pytest.Item) -> int:
    return next((rank for rank, prefix in enumerate(_ORDER) if item.nodeid.startswith(prefix)), len(_ORDER))


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    items.sort(key=_rank)  # stable: within a tier, collection order


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    from xdist.scheduler import LoadFileScheduling

    class ModulesAndTheFaultsTier(LoadFileScheduling):
        """A module per unit, but the whole faults tier as one."""

        def _split_scope(self, nodeid: str) -> str:
            return _FAULTS if nodeid.startswith(_FAULTS) else super()._split_scope(nodeid)

    return ModulesAndTheFaultsTier(config, log)
