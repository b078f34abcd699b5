"""The alert rules and the scrape configuration pass promtool's checks and unit tests.

promtool is built by ``scripts/install-tools`` (run by ``scripts/bootstrap``) into the cache;
without it these tests FAIL: the rules are part of the product and must be checked.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from deploy_files import DEPLOY

PROMETHEUS = DEPLOY / "prometheus"


@pytest.fixture(scope="module")
def promtool() -> Path:
    cache = Path(os.environ.get("SUBSHIFT_STACK_CACHE_DIR", Path.home() / ".cache" / "subshift"))
    for candidate in (cache / "bin" / "promtool", shutil.which("promtool")):
        if candidate and Path(candidate).is_file():
            return Path(candidate)
    pytest.fail(f"promtool not found in {cache / 'bin'} nor on PATH: run scripts/install-tools", pytrace=False)


def _run(promtool: Path, *args: str) -> str:
    result = subprocess.run([str(promtool), *args], cwd=PROMETHEUS, capture_output=True, text=True, timeout=120,
                            check=False)
    output = result.stdout + result.stderr
    assert result.returncode == 0, f"promtool {' '.join(args)} failed:\n{output}"
    return output


def _alerts() -> list[dict[str, Any]]:
    groups = yaml.safe_load((PROMETHEUS / "alerts.yml").read_text(encoding="utf-8"))["groups"]
    return [rule for group in groups for rule in group["rules"] if "alert" in rule]


def test_alert_rules_pass_promtool_check(promtool: Path) -> None:
    assert f"SUCCESS: {len(_alerts())} rules found" in _run(promtool, "check", "rules", "alerts.yml")


def test_scrape_configuration_passes_promtool_check(promtool: Path) -> None:
    assert "is valid prometheus config file syntax" in _run(promtool, "check", "config", "prometheus.yml")


def test_alert_rules_pass_their_unit_tests(promtool: Path) -> None:
    assert "SUCCESS" in _run(promtool, "test", "rules", "alerts_test.yml")


def test_every_alert_has_a_unit_test_that_sees_it_fire() -> None:
    cases = yaml.safe_load((PROMETHEUS / "alerts_test.yml").read_text(encoding="utf-8"))["tests"]
    firing = {
        check["alertname"]
        for case in cases
        for check in case["alert_rule_test"]
        if check.get("exp_alerts")
    }
    assert {rule["alert"] for rule in _alerts()} - firing == set()


@pytest.mark.parametrize("rule", _alerts(), ids=lambda rule: rule["alert"])
def test_every_alert_says_how_severe_it_is_and_what_to_do(rule: dict[str, Any]) -> None:
    assert rule["labels"]["severity"] in {"warning", "critical"}
    assert rule["annotations"]["summary"]
    assert rule["annotations"]["description"]


def test_the_target_down_alert_covers_every_subshift_scrape_job() -> None:
    config = yaml.safe_load((PROMETHEUS / "prometheus.yml").read_text(encoding="utf-8"))
    jobs = {job["job_name"] for job in config["scrape_configs"]} - {"prometheus"}
    assert jobs == {"subshift-api", "subshift-relay", "subshift-consumer"}
    (rule,) = [rule for rule in _alerts() if rule["alert"] == "SubshiftTargetDown"]
    assert 'up{job=~"subshift-.*"}' in rule["expr"]
