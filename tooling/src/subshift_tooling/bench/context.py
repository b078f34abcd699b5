"""What every stage of one bench run shares: settings, files, the seeded data and the services' plumbing."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

from subshift.config import Settings
from subshift.db.connect import PgConnection, connect
from subshift_tooling.bench.profiling import Profiler
from subshift_tooling.bench.rss import RssSampler
from subshift_tooling.bench.services import Service, service_env, spawn, stopping, wait_for
from subshift_tooling.bench.workspace import create_topics
from subshift_tooling.seeding import DemoCatalog, Population

__all__ = ["BenchContext", "Services"]

_START_TIMEOUT = 90.0


@dataclass
class BenchContext:
    settings: Settings  # the bench database; topics and group are replaced per pipeline run
    directory: Path
    token: str
    csv_path: Path  # the first size's CSV, used by every stage but the other sizes' end-to-end runs
    rows: int
    catalog: DemoCatalog
    population: Population
    profile: bool = False
    topics: list[str] = field(default_factory=list)  # created by this run, deleted at its end
    csv_paths: dict[int, Path] = field(default_factory=dict)  # the other sizes' CSVs, by size (rows)

    def csv_for(self, rows: int) -> Path:
        """The CSV of ``rows`` rows written for this run."""
        return self.csv_path if rows == self.rows else self.csv_paths[rows]

    def db(self) -> PgConnection:
        return connect(self.settings.database, application_name="subshift-bench")

    def fresh_topics(self) -> Settings:
        """The settings with a new topic prefix and consumer group, their topics created."""
        tag = uuid.uuid4().hex[:8]
        settings = self.settings.model_copy(update={
            "kafka": self.settings.kafka.model_copy(update={"topic_prefix": f"bench-{tag}."}),
            "consumer": self.settings.consumer.model_copy(update={"group_id": f"bench-apply-{tag}"}),
        })
        self.topics += create_topics(settings)
        return settings


class Services:
    """Starts services for one stage, samples their memory, optionally profiles them, stops them all."""

    def __init__(self, context: BenchContext, settings: Settings, sampler: RssSampler, label: str) -> None:
        self._context = context
        self._env = service_env(settings)
        self._sampler = sampler
        self._label = label
        self.running: list[Service] = []
        self.profiler = Profiler(context.directory / "profiles" / label) if context.profile else None

    def start(self, role: str, name: str | None = None, *, module_args: list[str] | None = None) -> Service:
        """``subshift serve <role>`` (or ``python -m <module_args…>``) as a sampled child process."""
        args = module_args or ["subshift", "serve", role]
        service = spawn(name or role, args, self._env, self._context.directory)
        self.running.append(service)
        self._sampler.watch(service.name, service.pid)
        return service

    def stop(self, service: Service) -> None:
        if self.profiler is not None:
            self.profiler.finish(service.name)
        service.stop()
        self.running.remove(service)

    def profile_all(self) -> None:
        """Attach the profiler to every running service (after start-up, so imports do not dominate)."""
        if self.profiler is not None:
            for service in self.running:
                self.profiler.attach(service.name, service.pid)

    def wait_api(self, addr: str) -> None:
        channel = grpc.insecure_channel(addr)
        stub = health_pb2_grpc.HealthStub(channel)

        def serving() -> bool:
            try:
                reply = stub.Check(health_pb2.HealthCheckRequest(service=""), timeout=1.0)
            except grpc.RpcError:
                return False
            return bool(reply.status == health_pb2.HealthCheckResponse.SERVING)

        try:
            wait_for("the API to serve", serving, services=self.running, timeout=_START_TIMEOUT, interval=0.2)
        finally:
            channel.close()

    def wait_log(self, service: Service, marker: str, timeout: float = _START_TIMEOUT) -> None:
        wait_for(f"{service.name} to log {marker}", lambda: marker in service.log_text(), services=self.running,
                 timeout=timeout, interval=0.1)

    @contextlib.contextmanager
    def session(self) -> Iterator[Services]:
        with stopping(self.running):
            try:
                yield self
            finally:
                if self.profiler is not None:
                    self.profiler.finish_all()
