"""The bench report as Rich tables: stages, baselines and ratios, latency, scaling, memory, targets."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from subshift_tooling.bench.report import BenchReport, targets

__all__ = ["render"]


def _rate(value: float | None) -> str:
    return "—" if value is None else f"{value:,.0f}"


def _seconds(value: float | None) -> str:
    return "—" if value is None else f"{value:,.2f}"


def _stages(report: BenchReport) -> Table:
    table = Table(title=f"Stages ({report.options.rows:,} rows)")
    table.add_column("stage")
    table.add_column("rows/s", justify="right")
    table.add_column("seconds", justify="right")
    table.add_column("how measured")
    if report.parse_validate:
        pv = report.parse_validate
        table.add_row("parse + validate", _rate(pv.rows_per_second), _seconds(pv.seconds), "in process, no I/O")
    e2e = report.end_to_end
    if e2e:
        table.add_row("upload + validate + stage", _rate(e2e.upload_rows_per_second), _seconds(e2e.upload_seconds),
                      "client: first byte → response")
        table.add_row("publish (relay)", _rate(e2e.publish_rows_per_second), "",
                      "event record timestamps (items' published_at), concurrent with apply")
        table.add_row("apply (consumer)", _rate(e2e.apply_rows_per_second), "",
                      f"outcome_at stamps, {e2e.consumers} consumer(s), concurrent with publish")
        table.add_row("end to end", _rate(e2e.end_to_end_rows_per_second), _seconds(e2e.end_to_end_seconds),
                      "first byte → every item has an outcome")
    return table


def _baselines(report: BenchReport) -> Table:
    table = Table(title="Raw baselines (same N, same run)")
    table.add_column("baseline")
    table.add_column("rows/s", justify="right")
    table.add_column("detail")
    if report.kafka:
        k = report.kafka
        table.add_row("(a) confluent-kafka produce + consume", _rate(k.rows_per_second),
                      f"produce {_rate(k.produce_per_second)}/s, consume {_rate(k.consume_per_second)}/s, "
                      f"{k.value_bytes:.0f} B values")
    if report.postgres:
        p = report.postgres
        table.add_row("(b) PostgreSQL COPY + UPDATE … FROM", _rate(p.rows_per_second),
                      f"copy {p.copy_seconds:.2f} s, update+commit {p.update_seconds:.2f} s, {p.updated:,} updated")
    if report.avro:
        a = report.avro
        table.add_row("(c) fastavro encode", _rate(a.encode_per_second),
                      f"generated codec: records {_rate(a.typed_encode_per_second)}/s, "
                      f"datums {_rate(a.datum_encode_per_second)}/s")
        table.add_row("(c) fastavro decode", _rate(a.decode_per_second),
                      f"generated codec: records {_rate(a.typed_decode_per_second)}/s, "
                      f"datums {_rate(a.datum_decode_per_second)}/s")
    for name, ratio in report.ratios().items():
        table.add_row(name.replace("_", " "), "—" if ratio is None else f"{ratio:.3f}", "ratio")
    return table


def _latency(report: BenchReport) -> Table:
    table = Table(title="GetMigration latency (ghz, one connection)")
    for column in ("servicer", "target req/s", "achieved", "p50 ms", "p90 ms", "p99 ms", "errors"):
        table.add_column(column, justify="left" if column == "servicer" else "right")
    for r in report.latency:
        table.add_row(r.server, str(r.target_rps), f"{r.achieved_rps:,.0f}", f"{r.p50_ms:.2f}", f"{r.p90_ms:.2f}",
                      f"{r.p99_ms:.2f}", str(r.errors))
    return table


def _scaling(report: BenchReport) -> Table:
    table = Table(title="Backlog of one upload: published by the relay alone, then applied by N consumers")
    for column in ("consumers", "apply rows/s", "seconds incl. start-up", "peak RSS MB (each)",
                   "relay alone rows/s", "vacuum s (before apply)"):
        table.add_column(column, justify="right")
    for run in report.scaling:
        table.add_row(str(run.consumers), _rate(run.apply_rows_per_second), _seconds(run.seconds),
                      ", ".join(f"{mb:.0f}" for mb in run.peak_rss_mb.values()), _rate(run.publish_rows_per_second),
                      _seconds(run.vacuum_seconds))
    return table


def _cpu(report: BenchReport) -> Table:
    table = Table(title=f"Where the CPU went ({report.machine.cores} cores)")
    for column in ("run", "cores busy", "CPU-bound", "CPU µs per row, busiest first"):
        table.add_column(column, justify="right" if column == "cores busy" else "left")
    for name, budget in report.cpu_budgets().items():
        table.add_row(name, f"{budget.busy_cores:.2f}", "yes" if budget.cpu_bound else "no",
                      ", ".join(f"{part} {micros:,.1f}" for part, micros in budget.micros_per_row().items()))
    return table


def _sizes(report: BenchReport) -> Table:
    table = Table(title="End to end by upload size (API, relay and consumers running; as many subscribers as rows)")
    table.add_column("measure")
    runs = report.sizes + ([report.smallest_again] if report.smallest_again else [])
    for run in report.sizes:
        table.add_column(f"{run.rows:,} rows", justify="right")
    if report.smallest_again:
        table.add_column(f"{report.smallest_again.rows:,} rows again", justify="right")
    ratios = report.size_ratios()
    table.add_row("end to end rows/s", *(_rate(run.end_to_end_rows_per_second) for run in runs))
    table.add_row("÷ the smallest size's rate (mean of its runs)", *(
        "—" if ratios.get(run.rows) is None else f"{ratios[run.rows]:.3f}" for run in report.sizes))
    table.add_row("seconds", *(_seconds(run.end_to_end_seconds) for run in runs))
    table.add_row("subscribers", *(_rate(report.subscribers.get(run.rows)) for run in runs))
    table.add_row("publish / apply rows/s", *(f"{_rate(run.publish_rows_per_second)} / "
                                              f"{_rate(run.apply_rows_per_second)}" for run in runs))
    processes = list(dict.fromkeys(name for run in runs for name in run.peak_rss_mb))
    for name in processes:
        table.add_row(f"peak RSS MB, {name}", *(
            "—" if name not in run.peak_rss_mb else f"{run.peak_rss_mb[name]:,.0f}" for run in runs))
    table.add_row("PostgreSQL CPU µs per row", *(
        "—" if run.postgres_micros_per_row is None else f"{run.postgres_micros_per_row:,.1f}" for run in runs))
    sessions = list(dict.fromkeys(name for run in runs for name in run.postgres_cpu_by_session))
    for name in sessions:
        table.add_row(f"  of which {name}", *(
            "—" if name not in run.postgres_cpu_by_session or not run.staged
            else f"{run.postgres_cpu_by_session[name] / run.staged * 1e6:,.1f}" for run in runs))
    return table


def _history(report: BenchReport) -> Table:
    history = report.history
    assert history is not None
    sides = [("empty database", history.empty)] + ([("after history", history.history)] if history.history else [])
    if history.empty_again:
        sides.append(("empty again", history.empty_again))
    seed = history.seed
    title = "The same upload and reads on an empty database, after a history, and empty again" + (
        f" ({seed.migrations} finished migrations, {seed.rows:,} items, seeded in {seed.seconds:,.0f} s)"
        if seed else "")
    table = Table(title=title)
    table.add_column("measure")
    for name, _side in sides:
        table.add_column(name, justify="right")
    table.add_column("after ÷ empty (mean)", justify="right")
    ratio = history.rate_ratio()
    table.add_row(f"end to end rows/s ({history.empty.run.rows:,} rows)",
                  *(_rate(side.run.end_to_end_rows_per_second) for _name, side in sides),
                  "—" if ratio is None else f"{ratio:.3f}")
    p99_ratios = history.p99_ratios()
    for index, read in enumerate(history.empty.reads):
        reads = [side.reads[index] for _name, side in sides if index < len(side.reads)]
        for label, values in (("p50 ms", [r.p50_ms for r in reads]), ("p99 ms", [r.p99_ms for r in reads])):
            last = p99_ratios.get(read.call) if label == "p99 ms" else None
            table.add_row(f"{read.call}, {label}", *(f"{value:.2f}" for value in values),
                          "" if label != "p99 ms" else ("—" if last is None else f"{last:.2f}"))
    return table


def _targets(report: BenchReport) -> Table:
    table = Table(title="Targets")
    for column in ("target", "goal", "measured", "met"):
        table.add_column(column)
    for target in targets(report):
        met = "—" if target.met is None else ("yes" if target.met else "NO")
        measured = "—" if target.measured is None else (
            f"{target.measured:,.0f}" if abs(target.measured) >= 100 else f"{target.measured:.3g}")
        table.add_row(target.name, target.goal, measured, met)
    return table


def render(report: BenchReport, console: Console) -> None:
    """Print the report's tables, with the machine and its load (other work skews every number)."""
    m = report.machine
    console.print(f"[bold]{m.cpu_model}[/], {m.cores} cores, {m.ram_gb} GB RAM, Python {m.python}; "
                  f"load average {report.load_before[0]} before, {report.load_after[0]} after; "
                  f"run took {report.seconds:.0f} s")
    console.print(_stages(report))
    if report.vacuum_seconds:
        console.print("tables vacuumed before each stage, seconds: " + ", ".join(
            f"{stage} {seconds:.1f}" for stage, seconds in report.vacuum_seconds.items()))
    if report.end_to_end:
        e2e = report.end_to_end
        console.print("peak RSS MB: " + ", ".join(f"{n} {mb:.0f}" for n, mb in e2e.peak_rss_mb.items()))
        console.print("CPU seconds, first byte → last outcome: " + ", ".join(
            f"{n} {s:.1f}" for n, s in {**e2e.cpu_seconds, **e2e.server_cpu_seconds}.items()))
        if e2e.postgres_cpu_by_session and e2e.staged:
            console.print("PostgreSQL CPU µs per row, by whose work: " + ", ".join(
                f"{n} {s / e2e.staged * 1e6:.1f}" for n, s in e2e.postgres_cpu_by_session.items()))
    if report.kafka or report.postgres or report.avro:
        console.print(_baselines(report))
    if report.latency:
        console.print(_latency(report))
    if report.scaling:
        console.print(_scaling(report))
    if report.end_to_end or report.scaling:
        console.print(_cpu(report))
    if report.memory:
        mem = report.memory
        console.print(f"API streaming {mem.rows:,} rows (dry run): peak RSS {mem.peak_rss_mb:.0f} MB "
                      f"(first {mem.rss_first_last_mb[0]:.0f}, last {mem.rss_first_last_mb[1]:.0f}), "
                      f"{mem.rows_per_second:,.0f} rows/s")
    if len(report.sizes) > 1:
        console.print(_sizes(report))
    if report.history:
        console.print(_history(report))
    console.print(_targets(report))
    for note in report.notes:
        console.print(f"note: {note}")
