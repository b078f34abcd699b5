"""The client installs alone into a fresh venv and the README's example runs, as written, against a live
Subshift (API, relay and consumer on the real stack)."""

from __future__ import annotations

import csv
import re
import subprocess
from pathlib import Path

import pytest

from client_package.fresh_venv import REPO, create_client_venv
from client_package.live import live_subshift
from subshift.config import Settings
from subshift_tooling.seeding import build_catalog, build_population, load_demo_data, write_migration_csv

pytestmark = pytest.mark.integration

_EXAMPLE = re.compile(r"<!-- client example:[^\n]*-->\n```python\n(.*?)```", re.DOTALL)
SUBSCRIBERS, ROWS, BAD_ROWS = 3000, 400, 4


def _readme_example() -> str:
    match = _EXAMPLE.search((REPO / "README.md").read_text(encoding="utf-8"))
    assert match, "the README lost its '<!-- client example: … -->' python block"
    return match.group(1)


@pytest.fixture(scope="module")
def client_python(settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return create_client_venv(tmp_path_factory.mktemp("client-venv") / "venv", settings.state_dir / "wheelhouse")


def test_the_client_venv_has_the_client_and_not_the_server(client_python: Path) -> None:
    probe = "import importlib.util as u; print(bool(u.find_spec('subshift_client')), bool(u.find_spec('subshift')))"
    found = subprocess.run([client_python, "-c", probe], check=True, capture_output=True, text=True)
    assert found.stdout.split() == ["True", "False"]


def test_the_api_client_installs_without_the_kafka_stack(client_python: Path) -> None:
    probe = ("import importlib.util as u, subshift_client; "
             "print(*(bool(u.find_spec(m)) for m in ('confluent_kafka', 'fastavro', 'avro', 'requests')))")
    found = subprocess.run([client_python, "-c", probe], check=True, capture_output=True, text=True)
    assert found.stdout.split() == ["False", "False", "False", "False"]


def test_the_readme_client_example_runs_against_a_live_server(
    settings: Settings, client_python: Path, tmp_path: Path
) -> None:
    with live_subshift(settings, tmp_path) as live:
        catalog = build_catalog(10)
        population = build_population(catalog, subscribers=SUBSCRIBERS, seed=7)
        load_demo_data(live.database, catalog, population)
        written = write_migration_csv(tmp_path / "moves.csv", catalog=catalog, population=population,
                                      rows=ROWS, bad_rows=BAD_ROWS, seed=7)
        (tmp_path / "example.py").write_text(_readme_example(), encoding="utf-8")
        env = {"SUBSHIFT_API_ADDR": live.addr, "SUBSHIFT_TOKEN": live.token("operator"), "PATH": "/usr/bin:/bin"}
        run = subprocess.run([client_python, "example.py"], cwd=tmp_path, env=env, capture_output=True, text=True,
                             timeout=300, check=False)
        assert run.returncode == 0, f"{run.stdout}\n{run.stderr}\n--- server log ---\n{live.log.read_text()[-3000:]}"
    good = written.good_rows
    assert f"staged {good} rejected {BAD_ROWS}" in run.stdout
    assert f"applied {good} of {good}" in run.stdout
    assert "MIGRATION_STATE_SUCCEEDED" in run.stdout
    with (tmp_path / "results.csv").open(newline="", encoding="utf-8") as results:
        assert sum(1 for _ in csv.reader(results)) == ROWS + 1
