"""The gate, installed alone, in another team's repository: the unchanged tree passes, each seeded break fails."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from compat_tests.adoption.installs import Install
from compat_tests.adoption.scratch_repo import BREAKS, Break, scratch_repository


def _check(install: Install, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(install.command), "check", "--format", "json"], cwd=cwd, capture_output=True,
                          text=True, timeout=300, check=False)


def test_the_unchanged_repository_passes_checking_its_four_subjects(folder_install: Install, tmp_path: Path) -> None:
    repo = scratch_repository(tmp_path / "acme")
    done = _check(folder_install, repo.root / "schemas")
    assert done.returncode == 0, done.stdout + done.stderr
    checked = {unit["name"] for unit in json.loads(done.stdout)["checked"]}
    assert checked == {"orders-key", "orders-value", "com.acme.billing.Payment", "customers-value",
                       "schemas/proto/acme/shop/v1/shop.proto"}


@pytest.mark.parametrize("seeded", BREAKS, ids=lambda b: b.name)
def test_a_seeded_break_fails_naming_the_element_and_the_rule(folder_install: Install, tmp_path: Path,
                                                              seeded: Break) -> None:
    repo = scratch_repository(tmp_path / "acme")
    seeded.seed(repo)

    done = _check(folder_install, repo.root)

    assert done.returncode == 1, done.stdout + done.stderr
    rule, subject, element = seeded.expected
    findings = json.loads(done.stdout)["findings"]
    assert [(f["rule"], f["subject_or_file"]) for f in findings] == [(rule, subject)]
    assert element in findings[0]["message"]


def test_a_break_inside_a_referenced_type_points_at_the_referenced_file(folder_install: Install,
                                                                       tmp_path: Path) -> None:
    repo = scratch_repository(tmp_path / "acme")
    next(b for b in BREAKS if b.name == "a change inside a referenced type").seed(repo)

    done = _check(folder_install, repo.root)

    (finding,) = json.loads(done.stdout)["findings"]
    assert (finding["path"], finding["location"]) == ("$.shipping.zip", "schemas/avro/common/address.avsc:15")
