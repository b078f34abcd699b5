"""The pipeline under load: API, relay and consumers as real processes, timed from outside and by the database.

``end_to_end``: everything runs at once, as in production. The clock starts before the first
byte of the CSV is sent and stops when every staged item has an outcome (the migration is
terminal). Stage rates come from the database's batch stamps (see ``dbclock``).

``apply_scaling``: the same upload is staged with no relay running, then published by the relay
alone (a backlog on the topic: the relay's own rate, from the events' record timestamps), then the
tables are vacuumed (``settle``) and N consumer processes start; the apply rate counts only what
was applied after the last of them got its partitions, so group start-up does not blur the comparison.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime

from subshift.config import Settings
from subshift.errors import InfrastructureError
from subshift_client.api_errors import ApiError
from subshift_client.client import SubshiftClient
from subshift_client.retrying import RetryPolicy
from subshift_tooling.bench.context import BenchContext, Services
from subshift_tooling.bench.dbclock import Observer, Progress
from subshift_tooling.bench.profiling import Profile
from subshift_tooling.bench.rss import RssSampler
from subshift_tooling.bench.server_cpu import ServerCpu
from subshift_tooling.bench.services import Service, free_port, log_marks
from subshift_tooling.bench.settle import vacuum_pipeline_tables
from subshift_tooling.seeding import load_demo_data

__all__ = ["PipelineRun", "ScalingRun", "apply_scaling", "end_to_end"]

_POLL = 0.1


@dataclass
class PipelineRun:
    consumers: int
    rows: int
    staged: int
    state: str
    migration_id: str
    upload_seconds: float
    published_all_seconds: float  # from the first byte sent
    end_to_end_seconds: float
    publish_rows_per_second: float | None
    apply_rows_per_second: float | None
    peak_rss_mb: dict[str, float] = field(default_factory=dict)
    # Per service, and of PostgreSQL, Kafka and the registry, from the upload's first byte to the last outcome.
    cpu_seconds: dict[str, float] = field(default_factory=dict)
    server_cpu_seconds: dict[str, float] = field(default_factory=dict)
    # PostgreSQL's CPU seconds by whose session it worked for (``ServerCpu.postgres_by_session``).
    postgres_cpu_by_session: dict[str, float] = field(default_factory=dict)
    rss_first_last_mb: dict[str, tuple[float, float]] = field(default_factory=dict)
    profiles: dict[str, Profile] = field(default_factory=dict)
    database_outage_seconds: float = 0.0  # the shared database was down this long during the run

    @property
    def upload_rows_per_second(self) -> float:
        return self.rows / self.upload_seconds if self.upload_seconds > 0 else 0.0

    @property
    def end_to_end_rows_per_second(self) -> float:
        return self.staged / self.end_to_end_seconds if self.end_to_end_seconds > 0 else 0.0

    @property
    def postgres_micros_per_row(self) -> float | None:
        """PostgreSQL's CPU time per staged row, first byte → last outcome (None: its server was not found)."""
        used = self.server_cpu_seconds.get("postgres")
        return None if used is None or self.staged <= 0 else used / self.staged * 1e6


@dataclass
class ScalingRun:
    consumers: int
    staged: int
    seconds: float  # consumers started → migration terminal (start-up included)
    apply_rows_per_second: float | None  # after every consumer had its partitions
    publish_rows_per_second: float | None = None  # the relay alone, publishing the staged backlog
    vacuum_seconds: float = 0.0  # the tables vacuumed between publishing and the consumers' start
    database_outage_seconds: float = 0.0
    peak_rss_mb: dict[str, float] = field(default_factory=dict)
    cpu_seconds: dict[str, float] = field(default_factory=dict)
    # PostgreSQL, Kafka and the registry, from the consumers' start to the last outcome.
    server_cpu_seconds: dict[str, float] = field(default_factory=dict)


def _with_api_addr(settings: Settings) -> Settings:
    addr = f"127.0.0.1:{free_port()}"
    return settings.model_copy(update={"api": settings.api.model_copy(update={"addr": addr})})


# Patient enough to ride out a restart of the shared database (the API answers UNAVAILABLE meanwhile,
# and the same request id makes each new attempt safe).
_UPLOAD_RETRY = RetryPolicy(attempts=30, initial_backoff=1.0, max_backoff=10.0)


def _upload(context: BenchContext, addr: str, description: str, rows: int | None = None) -> uuid.UUID:
    try:
        with SubshiftClient(addr, token=context.token, timeout=60.0, retry=_UPLOAD_RETRY) as client:
            response = client.create_migration(context.csv_for(rows or context.rows), description=description,
                                               max_rejected_rows=0, timeout=3600.0)
    except ApiError as error:
        raise InfrastructureError(f"the bench upload failed: {error}", retryable=True) from error
    return uuid.UUID(response.migration.migration_id)


def _wait_terminal(observer: Observer, migration_id: uuid.UUID, services: Services, *, timeout: float,
                   on_progress: dict[str, float] | None = None) -> Progress:
    deadline = time.monotonic() + timeout
    while True:
        state = observer.progress(migration_id)
        if on_progress is not None and "published_all" not in on_progress and state.published >= state.staged:
            on_progress["published_all"] = time.time()
        if state.terminal:
            return state
        for service in services.running:
            service.check_alive()
        if time.monotonic() > deadline:
            raise InfrastructureError(f"migration {migration_id} not finished after {timeout:.0f} s "
                                      f"(state {state.state}, {state.done} of {state.staged} done)", retryable=False)
        time.sleep(_POLL)


def end_to_end(context: BenchContext, sampler: RssSampler, *, consumers: int, timeout: float,
               rows: int | None = None, label: str = "") -> PipelineRun:
    """Upload the CSV with API, relay and ``consumers`` consumers running; time it until every item has an outcome.

    ``rows``: which of the run's CSVs (default: the first size's). ``label`` tells this run's processes and logs
    apart from another end-to-end run's (each process logs to a file named after it); the run's figures are
    keyed by role all the same (``api``, ``relay``, ``consumer-1``…), so runs compare side by side.
    """
    rows = rows or context.rows
    suffix = f"-{label}" if label else ""
    settings = _with_api_addr(context.fresh_topics())
    services = Services(context, settings, sampler, f"end-to-end{suffix}")
    with services.session():
        api = services.start("api", f"api{suffix}")
        relay = services.start("relay", f"relay{suffix}")
        members = [services.start("consumer", f"consumer{suffix}-{n}") for n in range(1, consumers + 1)]
        services.wait_api(settings.api.addr)
        services.wait_log(relay, "relay.started")
        for member in members:
            services.wait_log(member, "consumer.assigned")
        services.profile_all()
        names = [api.name, relay.name, *(m.name for m in members)]
        observer = Observer(context.settings.database)
        try:
            marks: dict[str, float] = {}
            servers = ServerCpu(context.settings)
            cpu_before = {name: sampler.cpu_now(name) for name in names}
            started = time.time()
            migration_id = _upload(context, settings.api.addr, f"bench end to end, {rows:,} rows", rows)
            uploaded = time.time()
            final = _wait_terminal(observer, migration_id, services, timeout=timeout, on_progress=marks)
            finished = time.time()
            server_cpu = servers.seconds()
            cpu = {name: round(sampler.cpu_now(name) - cpu_before[name], 2) for name in names}
            published = observer.stage_span(migration_id, "published_at")
            applied = observer.stage_span(migration_id, "outcome_at")
        finally:
            observer.close()
        profiles = _finish_profiles(services, [api, relay, *members])

    def role(name: str) -> str:
        return name.replace(suffix, "", 1) if suffix else name

    return PipelineRun(
        consumers=consumers, rows=rows, staged=final.staged, state=final.state,
        migration_id=str(migration_id), upload_seconds=uploaded - started,
        published_all_seconds=marks.get("published_all", finished) - started,
        end_to_end_seconds=finished - started,
        publish_rows_per_second=published.rows_per_second, apply_rows_per_second=applied.rows_per_second,
        peak_rss_mb={role(name): sampler.peak_mb(name) for name in names},
        cpu_seconds={role(name): seconds for name, seconds in cpu.items()}, server_cpu_seconds=server_cpu,
        postgres_cpu_by_session=servers.postgres_by_session,
        rss_first_last_mb={role(name): sampler.series[name].first_last_mb() for name in names
                           if name in sampler.series},
        profiles={role(name): profile for name, profile in profiles.items()},
        database_outage_seconds=observer.outage_seconds,
    )


def _finish_profiles(services: Services, running: list[Service]) -> dict[str, Profile]:
    if services.profiler is None:
        return {}
    for service in running:
        services.profiler.finish(service.name)
    return dict(services.profiler.profiles)


def _last_assignment(members: list[Service]) -> datetime | None:
    stamps = [stamp for member in members for stamp in log_marks(member, "consumer.assigned")]
    return max((datetime.fromisoformat(stamp.replace("Z", "+00:00")) for stamp in stamps), default=None)


def apply_scaling(context: BenchContext, sampler: RssSampler, *, consumers: int, timeout: float) -> ScalingRun:
    """Publish the CSV as a backlog, then time ``consumers`` consumer processes applying it."""
    load_demo_data(context.settings.database, context.catalog, context.population, force=True)
    settings = _with_api_addr(context.fresh_topics())
    publishers = Services(context, settings, sampler, f"scaling-{consumers}-publish")
    observer = Observer(context.settings.database)
    try:
        with publishers.session():
            publishers.start("api", f"api-scaling-{consumers}")
            publishers.wait_api(settings.api.addr)
            migration_id = _upload(context, settings.api.addr, f"bench scaling {consumers}")
            relay = publishers.start("relay", f"relay-scaling-{consumers}")
            deadline = time.monotonic() + timeout
            while (state := observer.progress(migration_id)).published < state.staged:
                relay.check_alive()
                if time.monotonic() > deadline:
                    raise InfrastructureError(f"backlog not published after {timeout:.0f} s", retryable=False)
                time.sleep(_POLL)
        vacuumed = vacuum_pipeline_tables(context.settings.database)
        appliers = Services(context, settings, sampler, f"scaling-{consumers}")
        with appliers.session():
            servers = ServerCpu(context.settings)
            started = time.time()
            members = [appliers.start("consumer", f"consumer-{consumers}x-{n}") for n in range(1, consumers + 1)]
            final = _wait_terminal(observer, migration_id, appliers, timeout=timeout)
            finished = time.time()
            server_cpu = servers.seconds()
            joined = _last_assignment(members)
            span = observer.stage_span(migration_id, "outcome_at", since=joined)
            if span.rows_per_second is None:  # too small a run to see past the start-up
                span = observer.stage_span(migration_id, "outcome_at")
            published = observer.stage_span(migration_id, "published_at")
    finally:
        observer.close()
    return ScalingRun(consumers=consumers, staged=final.staged, seconds=finished - started,
                      apply_rows_per_second=span.rows_per_second, publish_rows_per_second=published.rows_per_second,
                      vacuum_seconds=vacuumed, database_outage_seconds=observer.outage_seconds,
                      peak_rss_mb={m.name: sampler.peak_mb(m.name) for m in members},
                      cpu_seconds={m.name: sampler.cpu_seconds(m.name) for m in members},
                      server_cpu_seconds=server_cpu)
