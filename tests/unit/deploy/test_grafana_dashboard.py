"""The provisioned Grafana dashboard parses, shows what operators need, and queries the provisioned
Prometheus (which metrics it queries is checked in test_metric_names.py)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from deploy_files import DEPLOY

GRAFANA = DEPLOY / "grafana"
DASHBOARDS = sorted((GRAFANA / "dashboards").glob("*.json"))


def _panels(path: Path) -> list[dict[str, Any]]:
    panels: list[dict[str, Any]] = json.loads(path.read_text(encoding="utf-8"))["panels"]
    return [panel for panel in panels if panel["type"] != "row"]


def test_there_is_a_dashboard_and_each_parses_with_a_stable_uid() -> None:
    assert DASHBOARDS
    uids = [json.loads(path.read_text(encoding="utf-8"))["uid"] for path in DASHBOARDS]
    assert all(uids) and len(set(uids)) == len(uids)


def test_the_overview_shows_each_stage_lag_dead_letters_latency_and_migrations() -> None:
    titles = {panel["title"] for path in DASHBOARDS for panel in _panels(path)}
    assert {
        "Throughput per stage",
        "Consumer lag per partition",
        "Dead letters",
        "API latency percentiles",
        "Migrations by state",
    } <= titles


def test_throughput_has_one_series_per_stage() -> None:
    (panel,) = [p for path in DASHBOARDS for p in _panels(path) if p["title"] == "Throughput per stage"]
    exprs = " ".join(target["expr"] for target in panel["targets"])
    for stage in ("subshift_api_", "subshift_relay_", "subshift_consumer_"):
        assert stage in exprs


@pytest.mark.parametrize("path", DASHBOARDS, ids=lambda path: path.name)
def test_every_panel_queries_the_provisioned_prometheus(path: Path) -> None:
    datasources = yaml.safe_load((GRAFANA / "provisioning/datasources/prometheus.yml").read_text(encoding="utf-8"))
    (prometheus,) = [source for source in datasources["datasources"] if source["type"] == "prometheus"]
    for panel in _panels(path):
        assert panel["targets"], f"panel {panel['title']!r} has no query"
        for target in panel["targets"]:
            assert target["expr"].strip()
            assert target["datasource"] == {"type": "prometheus", "uid": prometheus["uid"]}


@pytest.mark.parametrize("path", DASHBOARDS, ids=lambda path: path.name)
def test_panel_ids_are_unique_and_panels_do_not_overlap(path: Path) -> None:
    panels = json.loads(path.read_text(encoding="utf-8"))["panels"]
    assert len({panel["id"] for panel in panels}) == len(panels)
    cells: set[tuple[int, int]] = set()
    for panel in panels:
        grid = panel["gridPos"]
        assert grid["x"] + grid["w"] <= 24
        columns = range(grid["x"], grid["x"] + grid["w"])
        area = {(x, y) for x in columns for y in range(grid["y"], grid["y"] + grid["h"])}
        assert not area & cells, f"panel {panel['title']!r} overlaps another"
        cells |= area


def test_provisioning_loads_the_folder_compose_mounts() -> None:
    providers = yaml.safe_load((GRAFANA / "provisioning/dashboards/subshift.yml").read_text(encoding="utf-8"))
    (provider,) = providers["providers"]
    assert provider["type"] == "file"
    assert provider["options"]["path"] == "/var/lib/grafana/dashboards"
