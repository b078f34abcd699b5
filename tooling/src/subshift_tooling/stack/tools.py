"""Finding the programs the stack runs: a JDK of the right release, Maven, PostgreSQL's server binaries.

Every lookup either returns a usable path or raises an ``InfrastructureError`` that says what to
install or which setting to point at it.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from subshift.errors import InfrastructureError

__all__ = ["find_java", "find_mvn", "find_postgres_bin", "java_release"]

_JVM_ROOT = Path("/usr/lib/jvm")
_POSTGRES_ROOT = Path("/usr/lib/postgresql")
_RELEASE_LINE = re.compile(r'^JAVA_VERSION="(\d+)', re.MULTILINE)


def java_release(java_home: Path) -> int | None:
    """The feature release (17, 21, 25, …) of the JDK at ``java_home``, from its ``release`` file."""
    try:
        match = _RELEASE_LINE.search((java_home / "release").read_text(encoding="utf-8"))
    except OSError:
        return None
    return int(match.group(1)) if match else None


def _home_of(java_binary: Path) -> Path:
    # bin/java -> the JDK root; symlinks (/usr/bin/java -> /etc/alternatives/…) resolved first.
    return java_binary.resolve().parent.parent


def find_java(*, minimum: int, configured: Path | None, setting: str) -> Path:
    """The ``java`` binary of a JDK whose release is at least ``minimum``.

    ``configured`` (a JDK home from settings) wins; otherwise ``java`` on PATH when it is new enough;
    otherwise the newest suitable JDK under /usr/lib/jvm.

    Raises:
        InfrastructureError: no JDK of that release is installed, or the configured one is unusable.
    """
    if configured is not None:
        binary = configured / "bin" / "java"
        release = java_release(configured)
        if not binary.exists() or (release is not None and release < minimum):
            raise InfrastructureError(
                f"{setting}={configured} is not a JDK {minimum}+ (found release {release}); "
                f"point it at a JDK {minimum} or newer",
                retryable=False,
            )
        return binary
    on_path = shutil.which("java")
    if on_path is not None and (java_release(_home_of(Path(on_path))) or 0) >= minimum:
        return Path(on_path)
    candidates = sorted(
        ((java_release(home) or 0, home) for home in _JVM_ROOT.glob("*") if (home / "bin" / "java").exists()),
        reverse=True,
    )
    for release, home in candidates:
        if release >= minimum:
            return home / "bin" / "java"
    raise InfrastructureError(
        f"no Java {minimum}+ found (looked at `java` on PATH and {_JVM_ROOT}); install a JDK {minimum} "
        f"or newer (Debian: apt-get install openjdk-{max(minimum, 17)}-jdk-headless) or set {setting}",
        retryable=False,
    )


def find_mvn() -> Path:
    """The ``mvn`` binary.

    Raises:
        InfrastructureError: Maven is not installed.
    """
    found = shutil.which("mvn")
    if found is None:
        raise InfrastructureError(
            "`mvn` not found: the stack fetches Kafka and the registry from Maven Central with Maven; "
            "install it (Debian: apt-get install maven) or run scripts/bootstrap",
            retryable=False,
        )
    return Path(found)


def find_postgres_bin(configured: Path | None) -> Path:
    """The directory holding ``initdb``, ``pg_ctl`` and ``postgres``.

    Raises:
        InfrastructureError: PostgreSQL's server binaries are not installed.
    """
    if configured is not None:
        candidates = [configured]
    else:
        versions = sorted(
            (p for p in _POSTGRES_ROOT.glob("*/bin") if p.parent.name.isdigit()),
            key=lambda p: int(p.parent.name),
            reverse=True,
        )
        on_path = shutil.which("initdb")
        candidates = versions + ([Path(on_path).resolve().parent] if on_path else [])
    for directory in candidates:
        if (directory / "initdb").exists() and (directory / "pg_ctl").exists():
            return directory
    raise InfrastructureError(
        "PostgreSQL server binaries (initdb, pg_ctl) not found; install them (Debian: apt-get install "
        "postgresql, or run scripts/bootstrap) or set SUBSHIFT_STACK_POSTGRES_BIN_DIR",
        retryable=False,
    )
