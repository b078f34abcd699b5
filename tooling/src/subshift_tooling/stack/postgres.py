"""PostgreSQL from Debian's server binaries, with a cluster of our own under the state dir.

The cluster listens on loopback only, on its own port (5433 by default, so it never fights a system
instance), with password authentication for every connection. Its superuser is the Subshift role;
Subshift and the registry each get a database. PostgreSQL refuses to run as root, so when the stack
is started by root the server runs as the ``postgres`` system user, which owns the cluster directory.
"""

from __future__ import annotations

import os
import pwd
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

import psycopg2
from psycopg2 import sql

from subshift.config.stack import StackSettings
from subshift.errors import InfrastructureError
from subshift_tooling.stack.paths import StackPaths
from subshift_tooling.stack.postgres_home import ensure_relocated_root
from subshift_tooling.stack.process import ManagedProcess
from subshift_tooling.stack.tools import find_postgres_bin

__all__ = ["PostgresService"]

_SERVICE_USER = "postgres"

# Server settings for bulk work on one machine (the packaged defaults suit a small shared host).
# A 1M-row migration writes a few GB of WAL: at the default max_wal_size (1GB) a checkpoint would
# start every few seconds and each first change to a page after it would log the whole page.
# The data lives on local SSDs (random_page_cost), and JIT compilation costs more than it saves on
# the few-thousand-row statements of the pipeline. Durability settings (fsync, synchronous_commit,
# full_page_writes) keep their safe defaults.
_TUNING = {
    "max_wal_size": "8GB",
    "min_wal_size": "1GB",
    "checkpoint_timeout": "15min",
    "random_page_cost": "1.1",
    "effective_cache_size": "8GB",
    "maintenance_work_mem": "256MB",
    "jit": "off",
}


class PostgresService:
    """The local PostgreSQL cluster."""

    def __init__(self, paths: StackPaths, settings: StackSettings) -> None:
        self._paths = paths
        self._settings = settings

    @property
    def name(self) -> str:
        return "postgres"

    @property
    def endpoint(self) -> str:
        s = self._settings
        return f"postgresql://{s.postgres_user}:***@{s.host}:{s.postgres_port}/{s.postgres_database}"

    @property
    def ports(self) -> list[int]:
        return [self._settings.postgres_port]

    def processes(self) -> list[ManagedProcess]:
        return [
            ManagedProcess(
                name="postgres", pid_file=self._paths.postgres_data / "postmaster.pid",
                log_file=self._paths.log_file("postgres"), marker=str(self._paths.postgres_data),
                stop_signal=signal.SIGINT,  # "fast" shutdown: open client sessions must not hold it up
            )
        ]

    def _run_as_owner(self, argv: list[str]) -> subprocess.CompletedProcess[str]:
        user = _SERVICE_USER if os.geteuid() == 0 else None
        return subprocess.run(
            argv, stdin=subprocess.DEVNULL, capture_output=True, text=True, check=False, user=user,
            group=_SERVICE_USER if user else None, extra_groups=[] if user else None, cwd=self._paths.postgres_dir,
        )

    def _own(self, path: Path) -> None:
        if os.geteuid() == 0:
            try:
                account = pwd.getpwnam(_SERVICE_USER)
            except KeyError as error:
                raise InfrastructureError(
                    "running as root, PostgreSQL needs the `postgres` system user (apt-get install postgresql)",
                    retryable=False,
                ) from error
            shutil.chown(path, user=account.pw_uid, group=account.pw_gid)

    def _server_log(self) -> Path:
        """The file pg_ctl writes: the stack's postgres log, or, with the cluster kept apart from the state
        (``postgres_home``), one beside the cluster that the stack's log links to."""
        log = self._paths.log_file("postgres")
        log.parent.mkdir(parents=True, exist_ok=True)
        server_log = log
        if not self._paths.postgres_dir.is_relative_to(self._paths.state_dir):
            server_log = self._paths.postgres_dir / "postgres.log"
            if log.is_symlink() or log.exists():
                log.unlink()
            log.symlink_to(server_log)
        server_log.touch()
        self._own(server_log)
        return server_log

    def _initdb(self, bin_dir: Path) -> None:
        if (self._paths.postgres_data / "PG_VERSION").exists():
            return
        if not self._paths.postgres_dir.is_relative_to(self._paths.state_dir):
            ensure_relocated_root()
        self._paths.postgres_dir.mkdir(parents=True, exist_ok=True)
        self._own(self._paths.postgres_dir)
        with tempfile.NamedTemporaryFile("w", dir=self._paths.postgres_dir, delete=False) as pwfile:
            pwfile.write(self._settings.postgres_password.get_secret_value() + "\n")
        self._own(Path(pwfile.name))
        try:
            completed = self._run_as_owner(
                [str(bin_dir / "initdb"), "-D", str(self._paths.postgres_data), "-U", self._settings.postgres_user,
                 f"--pwfile={pwfile.name}", "--auth=scram-sha-256", "--encoding=UTF8", "--locale=C.UTF-8"]
            )
        finally:
            Path(pwfile.name).unlink(missing_ok=True)
        if completed.returncode != 0:
            raise InfrastructureError(
                f"initdb failed for {self._paths.postgres_data}:\n{(completed.stdout + completed.stderr)[-2000:]}",
                retryable=False,
            )

    def launch(self) -> None:
        """Create the cluster the first time, start it unless running, and wait until it accepts connections.

        Raises:
            InfrastructureError: binaries missing, initdb failed or the server did not start.
        """
        if self.processes()[0].pid() is not None:
            return
        bin_dir = find_postgres_bin(self._settings.postgres_bin_dir)
        self._initdb(bin_dir)
        log = self._server_log()
        s = self._settings
        tuning = {**_TUNING, "shared_buffers": s.postgres_shared_buffers}
        options = (f"-p {s.postgres_port} -c listen_addresses={s.host} "
                   f"-c unix_socket_directories={self._paths.postgres_dir} "
                   + " ".join(f"-c {name}={value}" for name, value in tuning.items()))
        completed = self._run_as_owner(
            [str(bin_dir / "pg_ctl"), "start", "-D", str(self._paths.postgres_data), "-l", str(log),
             "-o", options, "-w", "-t", str(int(s.start_timeout))]
        )
        if completed.returncode != 0:
            raise InfrastructureError(
                f"PostgreSQL did not start: {(completed.stdout + completed.stderr).strip()[-500:]}",
                retryable=False,
            )

    def _connect(self, database: str) -> psycopg2.extensions.connection:
        s = self._settings
        return psycopg2.connect(
            host=s.host, port=s.postgres_port, user=s.postgres_user,
            password=s.postgres_password.get_secret_value(), dbname=database, connect_timeout=2,
        )

    def probe(self) -> str | None:
        """None when a password login to the ``postgres`` database succeeds."""
        try:
            self._connect("postgres").close()
        except psycopg2.Error as error:
            return f"cannot log in ({str(error).strip().splitlines()[0] if str(error).strip() else error})"
        return None

    def ensure_databases(self) -> None:
        """Create Subshift's and the registry's databases when missing.

        Raises:
            InfrastructureError: the server refused.
        """
        try:
            connection = self._connect("postgres")
            try:
                connection.autocommit = True  # CREATE DATABASE cannot run inside a transaction
                with connection.cursor() as cursor:
                    for database in (self._settings.postgres_database, self._settings.registry_database):
                        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", (database,))
                        if cursor.fetchone() is None:
                            cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(database)))
            finally:
                connection.close()
        except psycopg2.Error as error:
            raise InfrastructureError(f"could not create the stack's databases: {error}", retryable=True) from error
