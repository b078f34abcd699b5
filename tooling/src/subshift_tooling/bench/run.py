"""One bench run, in order: prepare → floors → end to end per size → latency → scaling → memory → history.

N is the first of the run's sizes (``--rows``); every stage but the end-to-end runs of the other sizes uses it.

1. A fresh ``subshift_bench`` database, seeded with N subscribers and the offers catalog; a CSV
   of N migrations beside the run's results; the event schema registered.
2. In-process floors: our CSV reader and checks alone, then the raw baselines (fastavro,
   confluent-kafka, plain-SQL COPY + UPDATE) on the same N.
3. End to end with API, relay and consumer processes, all running at once.
4. ``GetMigration`` latency at fixed rates on the real API and on the do-nothing servicer.
5. Backlogs: one upload published by the relay alone, then applied by 1, 2, 4… consumer processes.
6. API memory while a very large CSV streams in (a dry run).
7. Every other size: as many subscribers as rows seeded (as for N), its CSV written, end to end as in 3.
   After the other stages, so they keep N's database as it always was. Then the smallest size once
   more, the same way: its two runs bracket the larger ones, and the sizes' ratios are over their mean.
8. History (``history``): the database made anew, an N-row upload end to end and the API's read
   calls, then the same after a history of finished migrations is seeded.
9. The run's topics are deleted; the database is kept for inspection until the next run.

Stages 3 to 8 (and each backlog's consumers) start on freshly vacuumed tables (``settle``): a stage
does not pay for the dead rows the one before left, and the report says how long each vacuum took.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import psycopg2

from subshift.api.auth import Role
from subshift.api.tokens import mint_dev_token
from subshift.config import Settings
from subshift.errors import InfrastructureError
from subshift.messaging.topics_admin import admin_client
from subshift_tooling.bench.baseline_avro import avro_baseline
from subshift_tooling.bench.baseline_kafka import kafka_baseline
from subshift_tooling.bench.baseline_postgres import postgres_baseline
from subshift_tooling.bench.context import BenchContext, Services
from subshift_tooling.bench.history import HistoryRun, history_stage
from subshift_tooling.bench.latency import LatencyResult, find_ghz, measure_latency
from subshift_tooling.bench.machine import describe_machine, load_average
from subshift_tooling.bench.memory import streaming_memory
from subshift_tooling.bench.options import BenchOptions
from subshift_tooling.bench.parse_validate import parse_validate
from subshift_tooling.bench.pipeline_run import PipelineRun, apply_scaling, end_to_end
from subshift_tooling.bench.report import BenchReport
from subshift_tooling.bench.rss import RssSampler
from subshift_tooling.bench.services import free_port
from subshift_tooling.bench.settle import vacuum_pipeline_tables
from subshift_tooling.bench.workspace import fresh_database, isolated, register_event_schema, remove_topics
from subshift_tooling.seeding import build_catalog, build_population, load_demo_data, write_migration_csv

__all__ = ["run_bench"]

Say = Callable[[str], None]
T = TypeVar("T")


def _prepare(settings: Settings, options: BenchOptions, directory: Path, report: BenchReport,
             say: Say) -> tuple[BenchContext, int]:
    say("creating the bench database")
    bench = isolated(settings, fresh_database(settings, options.database), settings.state_dir)
    # The largest size must not be refused by the upload cap, whatever the environment sets it to.
    ingest = bench.ingest.model_copy(update={"max_rows": max(bench.ingest.max_rows, *options.sizes)})
    bench = bench.model_copy(update={"ingest": ingest})
    schema_id = register_event_schema(bench)
    catalog = build_catalog(options.offers)
    population = build_population(catalog, subscribers=options.subscriber_count, seed=options.seed)
    say(f"seeding {population.size:,} subscribers")
    report.seed_seconds = load_demo_data(bench.database, catalog, population, force=True).seconds
    csv_path = directory / f"migration-{options.rows}.csv"
    say(f"writing a CSV of {options.rows:,} migrations")
    report.csv_bytes = write_migration_csv(csv_path, catalog=catalog, population=population, rows=options.rows,
                                           bad_rows=0, seed=options.seed).bytes_written
    report.subscribers[options.rows] = population.size
    token = mint_dev_token(bench.auth, role=Role.ADMIN, subject="subshift-bench", ttl_seconds=6 * 3600)
    context = BenchContext(settings=bench, directory=directory, token=token, csv_path=csv_path, rows=options.rows,
                           catalog=catalog, population=population, profile=options.profile)
    return context, schema_id


def _other_size(context: BenchContext, sampler: RssSampler, options: BenchOptions, rows: int, report: BenchReport,
                say: Say, *, again: bool = False) -> PipelineRun:
    """End to end with ``rows`` rows, on as many subscribers as for the first size's run (one per row by default).

    ``again``: a size that has run before runs once more (its report entries say so)."""
    population = build_population(context.catalog, subscribers=options.subscribers_for(rows), seed=options.seed)
    say(f"seeding {population.size:,} subscribers for the {rows:,}-row run")
    load_demo_data(context.settings.database, context.catalog, population, force=True)
    report.subscribers[rows] = population.size
    if not again:
        context.csv_paths[rows] = context.directory / f"migration-{rows}.csv"
        say(f"writing a CSV of {rows:,} migrations")
        write_migration_csv(context.csv_paths[rows], catalog=context.catalog, population=population, rows=rows,
                            bad_rows=0, seed=options.seed)
    stage = f"end to end, {rows:,} rows" + (" again" if again else "")
    say("vacuuming the pipeline's tables")
    report.vacuum_seconds[stage] = round(vacuum_pipeline_tables(context.settings.database), 2)
    say(f"{stage}, with {options.e2e_consumers} consumer(s)")
    return end_to_end(context, sampler, consumers=options.e2e_consumers, timeout=options.timeout_seconds, rows=rows,
                      label=f"{rows}-again" if again else str(rows))


def _again_after_outage(what: str, stage: Callable[[], T], report: BenchReport, say: Say) -> T:
    """Run an in-process stage; if the shared database restarts under it, wait and run it again (twice at most)."""
    for attempt in range(3):
        try:
            return stage()
        except psycopg2.OperationalError as error:
            if attempt == 2:
                raise
            report.notes.append(f"{what}: the database went away ({str(error).strip()[:120]}); run again")
            say(f"{what}: the database went away; waiting for it, then running the stage again")
            time.sleep(15)
    raise AssertionError("unreachable")


def _latency(context: BenchContext, sampler: RssSampler, options: BenchOptions, migration_id: str,
             say: Say, report: BenchReport) -> list[LatencyResult]:
    ghz = find_ghz(context.settings)
    results: list[LatencyResult] = []
    for server, module_args in (("subshift", None), ("null", ["subshift_tooling.bench.null_api"])):
        addr = f"127.0.0.1:{free_port()}"
        settings = context.settings.model_copy(update={"api": context.settings.api.model_copy(update={"addr": addr})})
        services = Services(context, settings, sampler, f"latency-{server}")
        with services.session():
            api = services.start("api", f"api-latency-{server}", module_args=module_args)
            services.wait_api(addr)
            services.profile_all()
            warm = context.directory / f"ghz-{server}-warmup.json"
            measure_latency(ghz, server=server, addr=addr, token=context.token, migration_id=migration_id,
                            rps=min(options.latency_rates), seconds=2, output=warm)
            for rps in options.latency_rates:
                say(f"GetMigration on the {server} servicer at {rps} req/s")
                results.append(measure_latency(
                    ghz, server=server, addr=addr, token=context.token, migration_id=migration_id, rps=rps,
                    seconds=options.latency_seconds, output=context.directory / f"ghz-{server}-{rps}.json"))
            if services.profiler is not None:
                services.profiler.finish(api.name)
                report.latency_profiles.update(services.profiler.profiles)
    return results


def run_bench(settings: Settings, options: BenchOptions, *, say: Say = lambda _: None,
              checkpoint: Callable[[BenchReport], None] = lambda _: None) -> BenchReport:
    """Run every stage the options ask for; returns the report.

    ``checkpoint`` is called with the report after every stage (and once more at the end, also
    when a stage fails or the run is interrupted), so a long run's finished stages are never lost.

    Raises:
        InfrastructureError: the stack is unreachable or a service died.
        ContractError: a tool the run needs (ghz) is missing.
    """
    started = time.monotonic()
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    directory = (settings.state_dir / "bench" / stamp).resolve()
    directory.mkdir(parents=True, exist_ok=True)
    report = BenchReport(started_at=stamp, options=options, machine=describe_machine(), load_before=load_average())
    context, schema_id = _prepare(settings, options, directory, report, say)
    report.tuning = {section: getattr(context.settings, section).model_dump(mode="json")
                     for section in ("relay", "consumer", "ingest")}
    admin = admin_client(context.settings.kafka)

    def settle(stage: str) -> None:
        say(f"vacuuming the pipeline's tables before {stage}")
        report.vacuum_seconds[stage] = round(vacuum_pipeline_tables(context.settings.database), 2)

    try:
        with RssSampler() as sampler:
            say("parse + validate in process")
            report.parse_validate = _again_after_outage("parse + validate", lambda: parse_validate(
                context.settings.database, context.settings.ingest, context.csv_path), report, say)
            checkpoint(report)
            if not options.skip_baselines:
                say("baseline (c): fastavro encode + decode")
                report.avro = avro_baseline(options.rows, schema_id)
                say("baseline (a): confluent-kafka produce + consume")
                report.kafka = kafka_baseline(context.fresh_topics(), admin, options.rows, schema_id)
                say("baseline (b): PostgreSQL COPY + UPDATE … FROM")
                report.postgres = _again_after_outage("baseline (b)", lambda: postgres_baseline(
                    context.settings.database, context.csv_path, options.rows), report, say)
                checkpoint(report)
            settle("end to end")
            say(f"end to end, {options.rows:,} rows, with {options.e2e_consumers} consumer(s)")
            report.end_to_end = end_to_end(context, sampler, consumers=options.e2e_consumers,
                                           timeout=options.timeout_seconds)
            report.sizes.append(report.end_to_end)
            checkpoint(report)
            if not options.skip_latency:
                settle("latency")
                report.latency = _latency(context, sampler, options, report.end_to_end.migration_id, say, report)
                checkpoint(report)
            if not options.skip_scaling:
                for consumers in options.consumers:
                    say(f"apply scaling with {consumers} consumer(s)")
                    report.scaling.append(apply_scaling(context, sampler, consumers=consumers,
                                                        timeout=options.timeout_seconds))
                    checkpoint(report)
            if not options.skip_memory:
                settle("memory")
                say(f"API memory while {options.memory_rows:,} rows stream in (dry run)")
                report.memory = streaming_memory(context, sampler, rows=options.memory_rows)
                checkpoint(report)
            for rows in options.sizes[1:]:
                report.sizes.append(_other_size(context, sampler, options, rows, report, say))
                checkpoint(report)
            if len(options.sizes) > 1:
                report.smallest_again = _other_size(context, sampler, options, min(options.sizes), report, say,
                                                    again=True)
                checkpoint(report)
            if not options.skip_history:
                ghz = find_ghz(context.settings)

                def keep(history: HistoryRun) -> None:
                    report.history = history
                    checkpoint(report)

                def empty_database() -> None:
                    fresh_database(settings, options.database)

                report.history = history_stage(context, sampler, options, ghz, say=say, checkpoint=keep,
                                               fresh_database=empty_database)
    except psycopg2.Error as error:
        report.notes.append(f"stopped early: the database failed: {str(error).strip()}"[:500])
        raise InfrastructureError(f"the bench database failed: {str(error).strip()} (is the stack up, or was "
                                  "PostgreSQL restarted meanwhile?)", retryable=True) from error
    except BaseException as error:
        report.notes.append(f"stopped early: {type(error).__name__}: {error}"[:500])
        raise
    finally:
        remove_topics(admin, context.topics)
        report.load_after = load_average()
        report.seconds = time.monotonic() - started
        checkpoint(report)
    return report
