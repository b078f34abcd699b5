"""The CI integrations as written: the GitHub action's steps and the documented GitLab job, on another team's repo.

Their shell steps run as written (inputs reach them as the runner would pass them); the steps that only a
hosted runner has (setup-python, the SARIF upload) are checked for shape, not run.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import yaml

from compat_tests.adoption.installs import CORE_FOLDER, GATE_FOLDER, Install
from compat_tests.adoption.scratch_repo import BREAKS, scratch_repository
from compat_tests.gate_support import REPO_ROOT

_EXPRESSION = re.compile(r"\$\{\{\s*inputs\.([\w-]+)\s*\}\}")


def _action() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((REPO_ROOT / "action.yml").read_text(encoding="utf-8"))
    return loaded


def _run_step(step: dict[str, Any], inputs: dict[str, str], install: Install, cwd: Path,
              outputs: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PATH": f"{install.venv / 'bin'}:{os.environ['PATH']}",
           "GITHUB_ACTION_PATH": str(REPO_ROOT), "GITHUB_OUTPUT": str(outputs)}
    env |= {name: _EXPRESSION.sub(lambda m: inputs[m.group(1)], value) for name, value in step.get("env", {}).items()}
    assert "${{" not in step["run"], "inputs reach the script as variables, never pasted into it"
    return subprocess.run(["bash", "-eo", "pipefail", "-c", step["run"]], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=600, check=False)


def test_the_action_installs_the_gate_alone_and_uploads_sarif() -> None:
    steps = _action()["runs"]["steps"]
    assert '"$GITHUB_ACTION_PATH/gate/core" "$GITHUB_ACTION_PATH/gate"' in steps[1]["run"]
    upload = next(step for step in steps if step.get("uses", "").startswith("github/codeql-action/upload-sarif"))
    assert upload["with"]["sarif_file"] == "${{ inputs.sarif-file }}"


def test_the_actions_gate_step_writes_sarif_and_its_last_step_fails_the_job_on_a_break(
    folder_install: Install, tmp_path: Path
) -> None:
    action = _action()
    inputs = {name: str(spec.get("default", "")) for name, spec in action["inputs"].items()}
    steps = {step.get("id") or step.get("name"): step for step in action["runs"]["steps"]}
    repo = scratch_repository(tmp_path / "acme")
    BREAKS[0].seed(repo)
    outputs = tmp_path / "github-output"

    gate = _run_step(steps["gate"], inputs, folder_install, repo.root, outputs)
    fail = _run_step(steps["Fail on findings"], inputs, folder_install, repo.root, outputs)

    assert gate.returncode == 0, gate.stdout + gate.stderr  # the upload step still runs
    assert outputs.read_text(encoding="utf-8").strip() == "exit-code=1"
    sarif = json.loads((repo.root / inputs["sarif-file"]).read_text(encoding="utf-8"))
    assert [r["ruleId"] for r in sarif["runs"][0]["results"]] == ["READER_FIELD_MISSING_DEFAULT_VALUE"]
    assert "READER_FIELD_MISSING_DEFAULT_VALUE  $.channel" in gate.stdout
    assert fail.returncode == 1


def _gitlab_job() -> dict[str, Any]:
    readme = (GATE_FOLDER / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("### GitLab CI"):]
    block = section[section.index("```yaml") + len("```yaml"):]
    job: dict[str, Any] = yaml.safe_load(block[:block.index("```")])["contract-gate"]
    return job


def _run_gitlab_job(job: dict[str, Any], install: Install, cwd: Path) -> subprocess.CompletedProcess[str]:
    # The gate from this checkout's gate/ and gate/core/ folders instead of git URLs; the rest as documented.
    env = {**os.environ, **job["variables"], "SUBSHIFT_CONTRACTS": str(GATE_FOLDER),
           "SUBSHIFT_CONTRACTS_CORE": str(CORE_FOLDER),
           "PATH": f"{install.venv / 'bin'}:{os.environ['PATH']}"}
    script = "\n".join([*job["before_script"], *job["script"]])
    return subprocess.run(["bash", "-eo", "pipefail", "-c", script], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=600, check=False)


def test_the_documented_gitlab_job_reports_a_break_as_a_failed_junit_test(folder_install: Install,
                                                                         tmp_path: Path) -> None:
    job = _gitlab_job()
    repo = scratch_repository(tmp_path / "acme")
    passed = _run_gitlab_job(job, folder_install, repo.root)
    BREAKS[1].seed(repo)
    failed = _run_gitlab_job(job, folder_install, repo.root)

    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert failed.returncode == 1, failed.stdout + failed.stderr
    # The XML is the gate's own report, written just now.
    report = ET.parse(repo.root / job["artifacts"]["reports"]["junit"]).getroot()  # noqa: S314
    failures = [(case.get("name"), failure.get("type")) for case in report.iter("testcase")
                for failure in case.iter("failure")]
    assert failures == [("com.acme.billing.Payment", "TYPE_MISMATCH")]
