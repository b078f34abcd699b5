"""What ``subshift`` and ``subshift_client`` load before any command runs.

SQLAlchemy and Alembic, and confluent-kafka's schema-registry client (authlib, httpx), take seconds
to import together; ``subshift --help`` and an API-only client must not pay for them. Each check
runs in a fresh interpreter, so nothing this test process imported counts.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

_HEAVY = ("sqlalchemy", "alembic", "confluent_kafka.schema_registry", "authlib")


def _loaded_after(statement: str) -> set[str]:
    probe = f"import json, sys\n{statement}\nprint(json.dumps(sorted(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=120)
    return set(json.loads(done.stdout.splitlines()[-1]))


@pytest.mark.parametrize("statement", [
    "import subshift.cli.main",
    "import subshift_client",
    "import subshift_client.migration_v1",
])
def test_start_up_leaves_the_heavy_libraries_unloaded(statement: str) -> None:
    loaded = _loaded_after(statement)
    assert sorted(m for m in _HEAVY if m in loaded) == []


def test_the_kafka_module_still_loads_on_first_use() -> None:
    loaded = _loaded_after("import subshift_client\nsubshift_client.kafka.TypedConsumer")
    assert "confluent_kafka.schema_registry" in loaded


def test_the_seeding_loader_still_loads_on_first_use() -> None:
    loaded = _loaded_after("import subshift_tooling.seeding\nsubshift_tooling.seeding.load_demo_data")
    assert "sqlalchemy" in loaded
