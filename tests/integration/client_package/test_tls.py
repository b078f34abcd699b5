"""With TLS configured, the API serves TLS only, and the CLI and the client connect when given its CA."""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from client_package.live import _free_port
from subshift.config import Settings
from tests.integration.scratch_db import scratch_database

pytestmark = pytest.mark.integration


def _self_signed(directory: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "subshift-test")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(hours=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "api.pem", directory / "api.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


def _wait_listening(addr: str, server: subprocess.Popen[bytes], log: Path) -> None:
    host, port = addr.rsplit(":", 1)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        assert server.poll() is None, f"subshift serve api exited:\n{log.read_text()[-3000:]}"
        try:
            socket.create_connection((host, int(port)), timeout=1).close()
            return
        except OSError:
            time.sleep(0.3)
    raise AssertionError(f"the API did not listen on {addr}:\n{log.read_text()[-3000:]}")


def test_the_cli_reaches_a_tls_api_with_its_ca_and_not_without_tls(settings: Settings, tmp_path: Path) -> None:
    cert, key = _self_signed(tmp_path)
    with scratch_database(settings, "subshift_client") as database:
        addr = f"127.0.0.1:{_free_port()}"
        env = {**os.environ, "SUBSHIFT_DATABASE_URL": database.sqlalchemy_url(), "SUBSHIFT_API_ADDR": addr,
               "SUBSHIFT_API_METRICS_PORT": "0", "SUBSHIFT_API_TLS_CERT": str(cert), "SUBSHIFT_API_TLS_KEY": str(key)}
        log = tmp_path / "api.log"
        with log.open("wb") as output:
            server = subprocess.Popen([sys.executable, "-m", "subshift", "serve", "api"], env=env, stdout=output,
                                      stderr=subprocess.STDOUT)
        try:
            _wait_listening(addr, server, log)
            token = subprocess.run([sys.executable, "-m", "subshift", "token", "--role", "viewer"], env=env,
                                   check=True, capture_output=True, text=True).stdout.strip()
            client_env = {**env, "SUBSHIFT_TOKEN": token}
            for key_name in ("SUBSHIFT_API_TLS_CERT", "SUBSHIFT_API_TLS_KEY"):
                client_env.pop(key_name)

            def migrate(*args: str) -> subprocess.CompletedProcess[str]:
                return subprocess.run([sys.executable, "-m", "subshift", "migrate", "list", "--output", "json", *args],
                                      env=client_env, capture_output=True, text=True, timeout=120, check=False)

            with_ca = migrate("--tls-ca", str(cert))
            assert with_ca.returncode == 0, f"{with_ca.stderr}\n{log.read_text()[-2000:]}"
            assert json.loads(with_ca.stdout) == []
            plaintext = migrate("--timeout", "5")
            assert plaintext.returncode == 3, plaintext.stderr
        finally:
            server.terminate()
            server.wait(timeout=60)
