"""`subshift stack env`: the client variables that match the stack's settings."""

from __future__ import annotations

import shlex
import subprocess
from pathlib import Path

import pytest
from pydantic import SecretStr

from subshift.config import DatabaseSettings
from subshift.config.stack import StackSettings
from subshift.errors import NotFoundError
from subshift_tooling.stack import client_environment, export_lines
from subshift_tooling.stack.paths import StackPaths

PATHS = StackPaths.create(Path("/srv/state"), Path("/srv/cache"))


def test_defaults_point_at_the_default_stack() -> None:
    variables = client_environment(StackSettings(), PATHS)
    assert variables == {
        "SUBSHIFT_KAFKA_BOOTSTRAP": "127.0.0.1:9092",
        "SUBSHIFT_REGISTRY_URL": "http://127.0.0.1:8081/apis/ccompat/v7",
        "SUBSHIFT_DATABASE_URL": "postgresql+psycopg2://subshift:subshift@127.0.0.1:5433/subshift",
    }


def test_default_database_url_equals_the_client_default() -> None:
    stack_url = client_environment(StackSettings(), PATHS)["SUBSHIFT_DATABASE_URL"]
    assert stack_url == DatabaseSettings().sqlalchemy_url()


def test_ports_and_broker_count_follow_the_settings() -> None:
    settings = StackSettings(kafka_port=19500, kafka_brokers=2, registry_port=18081, postgres_port=15433)
    variables = client_environment(settings, PATHS)
    assert variables["SUBSHIFT_KAFKA_BOOTSTRAP"] == "127.0.0.1:19500,127.0.0.1:19501"
    assert variables["SUBSHIFT_REGISTRY_URL"] == "http://127.0.0.1:18081/apis/ccompat/v7"
    assert "@127.0.0.1:15433/" in variables["SUBSHIFT_DATABASE_URL"]


def test_password_is_url_encoded() -> None:
    settings = StackSettings(postgres_password=SecretStr("p@ss/word"))
    assert "subshift:p%40ss%2Fword@" in client_environment(settings, PATHS)["SUBSHIFT_DATABASE_URL"]


def test_export_lines_survive_a_posix_shell() -> None:
    text = export_lines({"SUBSHIFT_A": "x y", "SUBSHIFT_B": "it's"})
    assert text.splitlines()[0] == f"export SUBSHIFT_A={shlex.quote('x y')}"
    shown = subprocess.run(["sh", "-c", text + 'printf "%s|%s" "$SUBSHIFT_A" "$SUBSHIFT_B"'],
                           capture_output=True, text=True, check=True).stdout
    assert shown == "x y|it's"


def test_with_kafka_authentication_each_principal_gets_its_own_credentials_kept_owner_only(tmp_path: Path) -> None:
    paths = StackPaths.create(tmp_path, tmp_path / "cache")
    settings = StackSettings(kafka_auth="scram")
    relay = client_environment(settings, paths, principal="relay")
    consumer = client_environment(settings, paths, principal="consumer")
    assert relay["SUBSHIFT_KAFKA_SECURITY_PROTOCOL"] == "SASL_PLAINTEXT"
    assert relay["SUBSHIFT_KAFKA_SASL_MECHANISM"] == "SCRAM-SHA-512"
    assert (relay["SUBSHIFT_KAFKA_SASL_USERNAME"], consumer["SUBSHIFT_KAFKA_SASL_USERNAME"]) == ("relay", "consumer")
    assert relay["SUBSHIFT_KAFKA_SASL_PASSWORD"] != consumer["SUBSHIFT_KAFKA_SASL_PASSWORD"]
    assert client_environment(settings, paths, principal="relay") == relay  # kept, not made again
    assert client_environment(settings, paths)["SUBSHIFT_KAFKA_SASL_USERNAME"] == "admin"
    [kept] = paths.kafka_dir(1, auth=True).glob("principals.json")
    assert kept.stat().st_mode & 0o077 == 0


def test_an_unknown_kafka_principal_is_refused_with_the_known_ones(tmp_path: Path) -> None:
    paths = StackPaths.create(tmp_path, tmp_path / "cache")
    with pytest.raises(NotFoundError, match="admin, relay, consumer, replay"):
        client_environment(StackSettings(kafka_auth="scram"), paths, principal="intruder")
