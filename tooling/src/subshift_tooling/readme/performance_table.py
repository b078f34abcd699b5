"""The README's performance table: one bench report (the JSON ``scripts/bench`` writes) as one Markdown table.

It reads the report's JSON form, not the bench's classes, so the table can be rebuilt from a committed
report without running (or installing) the bench. A stage the run skipped shows as "—".
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

__all__ = ["load_report", "performance_table"]

_MISSING = "—"


def load_report(path: Path) -> dict[str, Any]:
    """The bench report at ``path`` as a dictionary."""
    report: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return report


def _get(data: Any, *keys: str | int) -> Any:
    for key in keys:
        if isinstance(data, Mapping) and isinstance(key, str):
            data = data.get(key)
        elif isinstance(data, Sequence) and isinstance(key, int) and -len(data) <= key < len(data):
            data = data[key]
        else:
            return None
    return data


def _rate(value: Any) -> str:
    return _MISSING if value is None else f"{value:,.0f}"


def _rate_and_seconds(rate: Any, seconds: Any) -> str:
    return _rate(rate) if seconds is None else f"{_rate(rate)} ({seconds:.1f} s)"


def _pair(first: Any, second: Any, unit: str = "") -> str:
    if first is None and second is None:
        return _MISSING
    return f"{_rate(first)} / {_rate(second)}{unit}"


def _ms(value: Any) -> str:
    return _MISSING if value is None else f"{value:.1f}"


def _target(targets: list[dict[str, Any]], name: str) -> str:
    found = next((target for target in targets if target.get("name") == name), None)
    if found is None:
        return ""
    met = found.get("met")
    verdict = "" if met is None else " ✓" if met else " ✗"  # None: the run did not measure it
    return str(found["goal"]).replace(">=", "≥").replace("<=", "≤") + verdict


def _labelled(label: str, target: str) -> str:
    return f"{label}: {target}" if target else ""


def _latency(report: dict[str, Any], server: str, rate: int) -> dict[str, Any]:
    rows = report.get("latency") or []
    return next((row for row in rows if row.get("server") == server and row.get("target_rps") == rate), {})


def _budget(budget: Any) -> str:
    if not isinstance(budget, Mapping):
        return _MISSING
    parts = " / ".join(f"{part} {micros:.1f}" for part, micros in budget["micros_per_row"].items())
    return f"{budget['busy_cores']:.2f} of {budget['cores']} cores; {parts}"


def _heading(report: dict[str, Any]) -> str:
    machine = report.get("machine") or {}
    started = str(report.get("started_at", "?"))
    try:
        when = datetime.strptime(started, "%Y%m%dT%H%M%SZ").strftime("%Y-%m-%d %H:%M UTC")
    except ValueError:
        when = started
    rows = _rate(_get(report, "options", "rows"))
    return (f"Run `{started}` ({when}): {rows} rows on {machine.get('cpu_model', '?')}, "
            f"{machine.get('cores', '?')} cores, {machine.get('ram_gb', '?')} GB RAM, "
            f"Python {machine.get('python', '?')}; ✓/✗: the target held or not in this run.")


def _sizes_and_history(report: dict[str, Any]) -> list[tuple[str, str, str]]:
    """Rows for the end-to-end runs by size and the history stage, when the run has them (older reports do not)."""
    rows: list[tuple[str, str, str]] = []
    sizes = report.get("sizes") or []
    if len(sizes) > 1:
        rows.append(("end to end by upload size: rows/s (÷ the smallest size's, the mean of its runs)", " / ".join(
            f"{_rate(run.get('rows'))}: {_rate(run.get('end_to_end_rows_per_second'))} "
            f"({_MISSING if run.get('rate_over_smallest') is None else format(run['rate_over_smallest'], '.2f')})"
            for run in sizes), ""))
        rows.append(("PostgreSQL CPU µs per row, by upload size", " / ".join(
            _MISSING if run.get("postgres_micros_per_row") is None else f"{run['postgres_micros_per_row']:.1f}"
            for run in sizes), ""))
    history = report.get("history") or {}
    after = history.get("history") or {}
    if after:
        empty = history.get("empty") or {}
        seed = history.get("seed") or {}
        again = history.get("empty_again") or {}
        empties = [side for side in (empty, again) if side]
        ratio = history.get("rate_ratio_history_over_empty")
        rows.append((f"end to end after {_rate(seed.get('rows'))} items of history / on an empty database"
                     f"{' (before / after)' if again else ''}, rows/s",
                     f"{_rate(_get(after, 'end_to_end', 'end_to_end_rows_per_second'))} / "
                     + " / ".join(_rate(_get(side, "end_to_end", "end_to_end_rows_per_second")) for side in empties)
                     + ("" if ratio is None else f" (÷ {ratio:.2f})"), ""))
        for index, read in enumerate(after.get("reads") or []):
            before = " / ".join(_ms(_get(side, "reads", index, "p99_ms")) for side in empties)
            rows.append((f"`{read.get('call', '?')}` p99, after history / empty",
                         f"{_ms(read.get('p99_ms'))} / {before} ms", ""))
    return rows


def performance_table(report: dict[str, Any]) -> str:
    """The table of one bench report: every stage, baseline and ratio, with the targets it was held to."""
    e2e = _get(report, "stages", "end_to_end") or {}
    scaling = {run["consumers"]: run for run in report.get("scaling") or []}
    alone = sorted(run["publish_rows_per_second"] for run in scaling.values()
                   if run.get("publish_rows_per_second") is not None)
    avro = _get(report, "baselines", "avro") or {}
    postgres = _get(report, "baselines", "postgres") or {}
    memory = report.get("memory") or {}
    targets = report.get("targets") or []
    at_500, at_100 = _latency(report, "subshift", 500), _latency(report, "subshift", 100)
    null_500, null_100 = _latency(report, "null", 500), _latency(report, "null", 100)
    counts = " / ".join(str(count) for count in scaling)
    rows = [
        ("parse + validate (in process), rows/s", _rate(_get(report, "stages", "parse_validate", "rows_per_second")),
         _target(targets, "parse + validate")),
        ("upload + validate + stage (client, first byte → response)",
         _rate_and_seconds(e2e.get("upload_rows_per_second"), e2e.get("upload_seconds")), ""),
        ("publish, the relay alone on a staged backlog (median)",
         _rate(alone[len(alone) // 2]) if alone else _MISSING,
         _target(targets, "relay publish (alone, median of the backlogs)")),
        (f"publish / apply, concurrently ({e2e.get('consumers', '?')} consumers)",
         _pair(e2e.get("publish_rows_per_second"), e2e.get("apply_rows_per_second")), ""),
        (f"apply a backlog, {counts or '?'} consumers",
         " / ".join(_rate(run.get("apply_rows_per_second")) for run in scaling.values()) or _MISSING,
         _labelled("1 consumer", _target(targets, "consume + apply (1 consumer)"))),
        ("**end to end** (first byte → every item has an outcome)",
         f"**{_rate_and_seconds(e2e.get('end_to_end_rows_per_second'), e2e.get('end_to_end_seconds'))}**",
         _target(targets, "end to end (1M rows in 60 s)")),
        ("baseline (a): confluent-kafka produce + consume",
         _rate(_get(report, "baselines", "kafka", "rows_per_second")), ""),
        ("baseline (b): PostgreSQL `COPY` + `UPDATE … FROM`",
         _rate_and_seconds(postgres.get("rows_per_second"), postgres.get("seconds")), ""),
        ("baseline (c): fastavro encode / decode", _pair(avro.get("encode_per_second"), avro.get("decode_per_second")),
         ""),
        ("the client's codec, encode / decode: records", _pair(avro.get("typed_encode_per_second"),
                                                             avro.get("typed_decode_per_second")), ""),
        ("the client's codec, encode / decode: datums", _pair(avro.get("datum_encode_per_second"),
                                                            avro.get("datum_decode_per_second")), ""),
        ("end to end ÷ (b) / ÷ min(a, b)",
         " / ".join(_MISSING if value is None else f"{value:.3f}" for value in (
             _get(report, "ratios", "end_to_end_over_postgres"),
             _get(report, "ratios", "end_to_end_over_min_kafka_postgres"))),
         _labelled("÷ (b)", _target(targets, "end to end ÷ PostgreSQL baseline"))),
        (f"API peak RSS streaming {_rate(memory.get('rows'))} rows (dry run)",
         _MISSING if memory.get("peak_rss_mb") is None
         else f"{memory['peak_rss_mb']:.0f} MB ({_rate(memory.get('rows_per_second'))} rows/s)",
         _target(targets, "API peak RSS, streaming dry run")),
        ("`GetMigration` p50 / p99 at 500 req/s (ghz, one connection)",
         f"{_ms(at_500.get('p50_ms'))} / {_ms(at_500.get('p99_ms'))} ms",
         _target(targets, "GetMigration p99 at 500 req/s")),
        ("`GetMigration` p50 / p99 at 100 req/s", f"{_ms(at_100.get('p50_ms'))} / {_ms(at_100.get('p99_ms'))} ms", ""),
        ("a do-nothing servicer, p99 at 500 / 100 req/s",
         f"{_ms(null_500.get('p99_ms'))} / {_ms(null_100.get('p99_ms'))} ms", ""),
        ("CPU end to end: cores busy; µs per row by part", _budget(_get(report, "cpu_budgets", "end to end")), ""),
        ("CPU applying with 1 consumer: cores busy; µs per row by part",
         _budget(_get(report, "cpu_budgets", "apply, 1 consumer(s)")), ""),
    ]
    rows += _sizes_and_history(report)
    lines = [_heading(report), "", "| measure | this run | target |", "|---|---|---|"]
    lines += [f"| {name} | {value} | {target} |" for name, value, target in rows]
    # The run's own caveats (a stage cut short, where the numbers came from) travel with its numbers.
    notes = [str(note) for note in report.get("notes") or []]
    if notes:
        lines += ["", "The run's notes:", "", *(f"- {note}" for note in notes)]
    return "\n".join(lines) + "\n"
