"""Fetching the servers from Maven Central into the per-user cache, once per version.

Kafka is assembled from its jars (``scripts/kafka-pom.xml`` + ``dependency:copy-dependencies``); the
registry is Apicurio's Quarkus distribution (a ``tar.gz`` classifier ``all``). Each lands in a
temporary directory and is renamed into place only when complete, so an interrupted fetch is
never mistaken for a usable one.
"""

from __future__ import annotations

import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path

from subshift.config.stack import StackSettings
from subshift.errors import InfrastructureError
from subshift_tooling.stack.paths import StackPaths
from subshift_tooling.stack.tools import find_mvn

__all__ = ["KAFKA_POM", "fetch_all", "fetch_kafka", "fetch_registry", "kafka_fetched", "registry_fetched"]

# The POM sits beside the other scripts of the checkout (tooling/src/subshift_tooling/stack/ -> repository root).
KAFKA_POM = Path(__file__).resolve().parents[4] / "scripts" / "kafka-pom.xml"
_REGISTRY_ARTIFACT = "io.apicurio:apicurio-registry-app:{version}:tar.gz:all"
_COMPLETE = ".complete"


def kafka_fetched(paths: StackPaths, settings: StackSettings) -> bool:
    return (paths.kafka_home(settings.kafka_version) / _COMPLETE).exists()


def registry_fetched(paths: StackPaths, settings: StackSettings) -> bool:
    return (paths.registry_home(settings.registry_version) / _COMPLETE).exists()


def _run_mvn(args: list[str], *, what: str) -> None:
    mvn = find_mvn()
    completed = subprocess.run(
        [str(mvn), "-B", "-q", *args], stdin=subprocess.DEVNULL, capture_output=True, text=True, check=False
    )
    if completed.returncode != 0:
        output = (completed.stdout + completed.stderr).strip().splitlines()
        raise InfrastructureError(
            f"could not fetch {what} from Maven Central (mvn exit {completed.returncode}); check the network "
            "and the version settings. Last lines of Maven's output:\n" + "\n".join(output[-15:]),
            retryable=True,
        )


def _install(staging: Path, home: Path) -> None:
    (staging / _COMPLETE).write_text("ok\n", encoding="utf-8")
    if home.exists():
        shutil.rmtree(home)  # a partial earlier attempt without the completion mark
    staging.rename(home)


def fetch_kafka(paths: StackPaths, settings: StackSettings) -> Path:
    """Kafka's jars for ``settings.kafka_version`` in the cache; returns the ``libs`` directory.

    Raises:
        InfrastructureError: Maven is missing or the artifacts cannot be resolved.
    """
    home = paths.kafka_home(settings.kafka_version)
    if not kafka_fetched(paths, settings):
        if not KAFKA_POM.exists():
            raise InfrastructureError(f"{KAFKA_POM} is missing; the checkout is incomplete", retryable=False)
        paths.cache_dir.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".kafka-{settings.kafka_version}-", dir=paths.cache_dir))
        try:
            _run_mvn(
                ["-f", str(KAFKA_POM), "dependency:copy-dependencies", "-DincludeScope=runtime",
                 f"-DoutputDirectory={staging / 'libs'}", f"-Dkafka.version={settings.kafka_version}",
                 f"-Dlog4j.version={settings.log4j_version}"],
                what=f"Apache Kafka {settings.kafka_version}",
            )
            _install(staging, home)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    return paths.kafka_libs(settings.kafka_version)


def fetch_registry(paths: StackPaths, settings: StackSettings) -> Path:
    """Apicurio Registry ``settings.registry_version`` unpacked in the cache; returns its directory.

    Raises:
        InfrastructureError: Maven is missing, the artifact cannot be resolved or is not a valid archive.
    """
    home = paths.registry_home(settings.registry_version)
    if not registry_fetched(paths, settings):
        paths.cache_dir.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".registry-{settings.registry_version}-", dir=paths.cache_dir))
        try:
            download = staging / "download"
            _run_mvn(
                ["dependency:copy", f"-Dartifact={_REGISTRY_ARTIFACT.format(version=settings.registry_version)}",
                 f"-DoutputDirectory={download}"],
                what=f"Apicurio Registry {settings.registry_version}",
            )
            archive = next(download.glob("*.tar.gz"), None)
            if archive is None:
                raise InfrastructureError("Maven reported success but left no registry archive", retryable=True)
            unpacked = staging / "app"
            try:
                with tarfile.open(archive) as bundle:
                    bundle.extractall(unpacked, filter="data")
            except (tarfile.TarError, OSError) as error:
                raise InfrastructureError(f"could not unpack {archive.name}: {error}", retryable=True) from error
            if not (unpacked / "quarkus-run.jar").exists():
                raise InfrastructureError(f"{archive.name} holds no quarkus-run.jar", retryable=False)
            _install(unpacked, home)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    return home


def fetch_all(paths: StackPaths, settings: StackSettings) -> tuple[Path, Path]:
    """Both servers in the cache (a no-op when already there): Kafka's libs and the registry's home.

    Raises:
        InfrastructureError: as ``fetch_kafka`` and ``fetch_registry``.
    """
    return fetch_kafka(paths, settings), fetch_registry(paths, settings)
