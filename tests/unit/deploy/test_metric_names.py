"""Every metric and label that the alerts and the dashboard query is one the code exports.

The exported names are read from the source: each ``prometheus_client`` metric (``Counter``,
``Gauge``, ``Histogram``, ``Summary``) or metric family built with a literal ``subshift_*`` name
under ``services/subshift``, with the series Prometheus scrapes from it (``_total``,
``_bucket``, ``_sum``, ``_count``) and its label names.
"""

from __future__ import annotations

import ast
import json
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from deploy_files import DEPLOY, REPO

_SUFFIXES = {
    "Counter": ("_total", "_created"),
    "CounterMetricFamily": ("_total",),
    "Gauge": ("",),
    "GaugeMetricFamily": ("",),
    "Histogram": ("_bucket", "_sum", "_count", "_created"),
    "HistogramMetricFamily": ("_bucket", "_sum", "_count"),
    "Summary": ("", "_sum", "_count", "_created"),
}
# Labels Prometheus adds (target labels) or that histograms carry.
_ALWAYS = {"job", "instance", "le", "__name__"}
_METRIC = re.compile(r"\bsubshift_[a-z0-9_]+\b")
# Prometheus' own series about each scrape (``up``), labelled by scrape job.
_SCRAPE_HEALTH = re.compile(r"\bup\{job=")
_GROUPING = re.compile(r"\b(?:by|without)\s*\(([^)]*)\)")
_MATCHER = re.compile(r"([a-zA-Z_][a-zA-Z0-9_]*)\s*(?:=~|!~|!=|=)\s*\"")


@dataclass(frozen=True)
class Exported:
    series: frozenset[str]
    labels: frozenset[str]
    where: str


def _literal_strings(node: ast.expr | None) -> list[str]:
    if isinstance(node, ast.List | ast.Tuple):
        return [element.value for element in node.elts if isinstance(element, ast.Constant)]
    return []


def _exported_metrics() -> dict[str, Exported]:
    """Scraped series name → the metric that produces it, from every module of the service."""
    found: dict[str, Exported] = {}
    for path in sorted((REPO / "services" / "subshift").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            kind = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            first = node.args[0]
            if kind not in _SUFFIXES or not (isinstance(first, ast.Constant) and isinstance(first.value, str)):
                continue
            name = first.value.removesuffix("_total") if kind.startswith("Counter") else first.value
            if not name.startswith("subshift_"):
                continue
            keywords = {keyword.arg: keyword.value for keyword in node.keywords}
            labels = _literal_strings(node.args[2] if len(node.args) > 2 else None)
            labels += _literal_strings(keywords.get("labelnames")) + _literal_strings(keywords.get("labels"))
            metric = Exported(frozenset(name + suffix for suffix in _SUFFIXES[kind]), frozenset(labels),
                              f"{path.relative_to(REPO)}:{node.lineno}")
            for series in metric.series:
                found[series] = metric
    return found


def _queries() -> list[tuple[str, str]]:
    """(where, PromQL) of every alert rule and every dashboard panel target."""
    queries = []
    groups = yaml.safe_load((DEPLOY / "prometheus" / "alerts.yml").read_text(encoding="utf-8"))["groups"]
    for group in groups:
        for rule in group["rules"]:
            queries.append((f"alert {rule.get('alert', rule.get('record'))}", rule["expr"]))
    for path in sorted((DEPLOY / "grafana" / "dashboards").glob("*.json")):
        for panel in json.loads(path.read_text(encoding="utf-8"))["panels"]:
            for target in panel.get("targets", []):
                queries.append((f"{path.name} panel {panel['title']!r}", target["expr"]))
    return queries


EXPORTED = _exported_metrics()
QUERIES = _queries()


def test_the_code_exports_the_metrics_of_every_stage() -> None:
    prefixes = {series.split("_")[1] for series in EXPORTED}
    assert {"api", "relay", "consumer", "migrations", "migration"} <= prefixes, sorted(EXPORTED)


def test_counters_are_scraped_with_their_total_suffix() -> None:
    assert "subshift_relay_delivered_total" in EXPORTED
    assert "subshift_relay_delivered" not in EXPORTED


@pytest.mark.parametrize(("where", "query"), QUERIES, ids=[where for where, _ in QUERIES])
def test_every_queried_metric_is_exported(where: str, query: str) -> None:
    referenced = set(_METRIC.findall(query))
    assert referenced or _SCRAPE_HEALTH.search(query), f"{where} queries no Subshift metric"
    missing = {name for name in referenced if name not in EXPORTED}
    assert not missing, f"{where} queries metrics the code does not export: {sorted(missing)}"


@pytest.mark.parametrize(("where", "query"), QUERIES, ids=[where for where, _ in QUERIES])
def test_every_queried_label_belongs_to_a_queried_metric(where: str, query: str) -> None:
    metrics = [EXPORTED[name] for name in set(_METRIC.findall(query)) if name in EXPORTED]
    known = set(_ALWAYS).union(*(metric.labels for metric in metrics))
    used = {label.strip() for group in _GROUPING.findall(query) for label in group.split(",") if label.strip()}
    used |= set(_MATCHER.findall(query))
    assert used <= known, f"{where} uses labels no queried metric has: {sorted(used - known)}"


def test_the_label_check_would_catch_a_wrong_label() -> None:
    metrics = [EXPORTED["subshift_consumer_lag"]]
    assert "partition" in metrics[0].labels
    assert "partiton" not in set(_ALWAYS).union(*(metric.labels for metric in metrics))


def test_metric_sources_are_found_where_they_are_defined() -> None:
    # Guards the parser itself: the relay's counter is found in the relay's metrics module.
    assert Path(EXPORTED["subshift_relay_delivery_failed_total"].where.split(":")[0]).parts[-2] == "outbox"
