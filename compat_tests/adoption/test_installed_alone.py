"""The gate installs alone, with none of the service's dependencies, and checks a checkout it was not installed from."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from compat_tests.adoption.installs import Install
from compat_tests.gate_support import GitRepo

# The service's packages a CI job running the gate must not have to install.
_FORBIDDEN = {"sqlalchemy", "psycopg2", "psycopg2-binary", "grpcio", "grpcio-status", "grpcio-health-checking",
              "grpcio-reflection", "confluent-kafka", "alembic", "subshift", "subshift-client"}


def _installed(install: Install) -> set[str]:
    listed = json.loads(install.pip("list", "--format", "json", "--disable-pip-version-check"))
    return {entry["name"].lower() for entry in listed}


@pytest.mark.parametrize("route", ["folder_install", "wheel_install"])
def test_the_gate_installs_without_the_services_dependencies(route: str, request: pytest.FixtureRequest) -> None:
    install: Install = request.getfixturevalue(route)
    installed = _installed(install)
    assert {"subshift-contracts", "subshift-contracts-core", "avro", "buf-bin"} <= installed
    assert sorted(installed & _FORBIDDEN) == []


def test_the_wheel_install_is_not_editable(wheel_install: Install) -> None:
    shown = wheel_install.pip("show", "--files", "subshift-contracts")
    assert "subshift_contracts/check.py" in shown
    assert "__editable__" not in shown


def _break_avro_and_proto(repo: GitRepo) -> None:
    schema = repo.read_json("contracts/avro/user_offer_migration_requested.avsc")
    schema["fields"].append({"name": "x", "type": "string"})
    repo.write_json("contracts/avro/user_offer_migration_requested.avsc", schema)
    proto = repo.root / "contracts/proto/subshift/migration/v1/access.proto"
    proto.write_text(proto.read_text(encoding="utf-8").replace("  ROLE_ADMIN = 3;\n", ""), encoding="utf-8")


def _run(install: Install, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(install.command), "check", "--format", "json"], cwd=cwd, capture_output=True,
                          text=True, timeout=300, check=False)


def test_the_non_editable_install_catches_an_avro_and_a_protobuf_break_in_a_temp_checkout(
    wheel_install: Install, tmp_path: Path
) -> None:
    repo = GitRepo.with_contracts(tmp_path / "checkout")
    repo.commit("a second commit, so HEAD has a first parent")
    assert _run(wheel_install, repo.root).returncode == 0

    _break_avro_and_proto(repo)
    done = _run(wheel_install, repo.root)

    assert done.returncode == 1, done.stderr
    found = {(f["rule"], f["subject_or_file"]) for f in json.loads(done.stdout)["findings"]}
    assert found == {("READER_FIELD_MISSING_DEFAULT_VALUE", "user-offers-value"),
                     ("ENUM_VALUE_NO_DELETE", "contracts/proto/subshift/migration/v1/access.proto")}
