"""The client's typing is complete with only its declared dependencies: in a fresh venv holding the client and
mypy alone, ``mypy --strict`` passes on the README's example, and the public surface has real types, not Any."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from client_package.fresh_venv import REPO, build_client_wheel, create_venv_with

pytestmark = pytest.mark.integration

_EXAMPLE = re.compile(r"<!-- client example:[^\n]*-->\n```python\n(.*?)```", re.DOTALL)
_PACKAGE_EXAMPLE = re.compile(r"## Example\n\n```python\n(.*?)```", re.DOTALL)
# assert_type fails under mypy when the expression is Any: each line is a promise about the public surface.
_SURFACE = '''
from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import assert_type

import grpc
from google.protobuf.timestamp_pb2 import Timestamp

from subshift_client import ApiError, AsyncSubshiftClient, DeadlineExceededError, RowViolation, SubshiftClient
from subshift_client.migration_v1 import Migration, MigrationState


def sync_surface(client: SubshiftClient, error: ApiError, late: DeadlineExceededError) -> None:
    migration = client.get_migration("m")
    assert_type(migration, Migration)
    assert_type(migration.create_time, Timestamp)
    assert_type(MigrationState.Name(migration.state), str)
    assert_type(client.watch("m"), Iterator[Migration])
    assert_type(error.code, grpc.StatusCode)
    assert_type(error.violations, tuple[RowViolation, ...])
    assert_type(error.retry_delay, float | None)
    assert_type(late.method, str)
    assert_type(late.limit, float | None)


async def async_surface(client: AsyncSubshiftClient) -> None:
    migration = await client.get_migration("m")
    assert_type(migration, Migration)
    assert_type(client.watch("m"), AsyncIterator[Migration])
'''

_KAFKA_SURFACE = '''
from __future__ import annotations

from typing import assert_type

from subshift_client.kafka import Decoded, Undecodable, UserOffersConsumer, UserOffersProducer
from subshift_client.records import UserOfferMigrationRequested, UserOfferMigrationRequestedDatum


def kafka_surface(consumer: UserOffersConsumer, producer: UserOffersProducer) -> None:
    assert_type(consumer.poll_datums(10, 1.0), list[Decoded[UserOfferMigrationRequestedDatum] | Undecodable])
    assert_type(consumer.poll_batch(10, 1.0), list[Decoded[UserOfferMigrationRequested] | Undecodable])
    with producer as entered, consumer as reading:
        assert_type(entered, UserOffersProducer)
        assert_type(reading, UserOffersConsumer)
'''


@pytest.fixture(scope="module")
def client_wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_client_wheel(tmp_path_factory.mktemp("wheelhouse"))


@pytest.fixture(scope="module")
def typing_venv(client_wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return create_venv_with(tmp_path_factory.mktemp("typing") / "venv", str(client_wheel), "mypy")


def _mypy_strict(python: Path, source: str, workdir: Path) -> subprocess.CompletedProcess[str]:
    (workdir / "checked.py").write_text(source, encoding="utf-8")
    return subprocess.run([python, "-m", "mypy", "--strict", "--no-incremental", "checked.py"], cwd=workdir,
                          check=False, capture_output=True, text=True, timeout=600)


@pytest.mark.parametrize(("readme", "pattern"),
                         [("README.md", _EXAMPLE), ("clients/python/README.md", _PACKAGE_EXAMPLE)])
def test_mypy_strict_passes_on_the_readme_example(
    typing_venv: Path, tmp_path: Path, readme: str, pattern: re.Pattern[str]
) -> None:
    match = pattern.search((REPO / readme).read_text(encoding="utf-8"))
    assert match, f"{readme} lost its python example"
    run = _mypy_strict(typing_venv, match.group(1), tmp_path)
    assert run.returncode == 0, run.stdout + run.stderr


def test_the_public_surface_has_real_types_with_only_the_declared_dependencies(
    typing_venv: Path, tmp_path: Path
) -> None:
    run = _mypy_strict(typing_venv, _SURFACE, tmp_path)
    assert run.returncode == 0, run.stdout + run.stderr


def test_the_kafka_extra_types_records_and_datums(client_wheel: Path, tmp_path_factory: pytest.TempPathFactory,
                                                  tmp_path: Path) -> None:
    python = create_venv_with(tmp_path_factory.mktemp("typing-kafka") / "venv", f"{client_wheel}[kafka]", "mypy")
    run = _mypy_strict(python, _KAFKA_SURFACE, tmp_path)
    assert run.returncode == 0, run.stdout + run.stderr
