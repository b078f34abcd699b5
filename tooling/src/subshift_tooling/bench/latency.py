"""Unary latency: ``GetMigration`` at fixed request rates, measured by ghz, beside a do-nothing servicer;
and read calls made one after another (``measure_reads``), each call's own time.

ghz (a Go load generator, built by ``scripts/install-tools`` into the tool cache) sends at a
constant rate over one connection, reads the service from the contract's .proto and reports percentiles. The
same rates are sent to ``null_api``, the same server stack with an empty ``GetMigration``: the
difference is what our handler (database read, conversion) costs.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from subshift.config import Settings
from subshift.errors import ContractError, InfrastructureError
from subshift_contracts_core.repository import find_repository

__all__ = ["LatencyResult", "ReadLatency", "find_ghz", "measure_latency", "measure_reads"]

_SERVICE = "subshift.migration.v1.MigrationService"
# The contract itself, not reflection: the source of truth, and no reflection round trips in the numbers.
_END_OF_RUN = ("the client connection is closing", "use of closed network connection")
# Read from the repository being benchmarked (found when the run starts), never beside the package.
_PROTO = Path("subshift") / "migration" / "v1" / "migration_service.proto"


@dataclass(frozen=True)
class LatencyResult:
    server: str  # "subshift" or "null"
    target_rps: int
    achieved_rps: float
    requests: int
    errors: int
    p50_ms: float
    p90_ms: float
    p99_ms: float
    mean_ms: float


def find_ghz(settings: Settings) -> str:
    """The ghz binary: the tool cache (``scripts/install-tools``) first, then PATH.

    Raises:
        ContractError: ghz is not installed.
    """
    cached = settings.stack.cache_dir / "bin" / "ghz"
    if cached.exists():
        return str(cached)
    found = shutil.which("ghz")
    if found is None:
        raise ContractError(f"ghz is not installed; run scripts/install-tools (it builds ghz into {cached.parent}) "
                            "or pass --skip-latency")
    return found


def _percentile(report: dict[str, object], percentage: int) -> float:
    for entry in report.get("latencyDistribution") or []:  # type: ignore[attr-defined]
        if entry.get("percentage") == percentage:
            return float(entry.get("latency", 0)) / 1e6
    return 0.0


def _run_ghz(ghz: str, *, method: str, data: dict[str, object], addr: str, token: str, load: list[str],
             timeout: float, output: Path, call_timeout: float = 5.0) -> dict[str, object]:
    """Run ghz with ``load`` (its rate, duration or count options) and return its JSON report.

    Raises:
        InfrastructureError: ghz failed to run.
        ContractError: the current directory is not in a repository holding the contracts.
    """
    proto_root = find_repository() / "contracts" / "proto"
    command = [
        ghz, "--insecure", "--proto", str(proto_root / _PROTO), "--import-paths", str(proto_root),
        "--call", f"{_SERVICE}.{method}", "--data", json.dumps(data),
        "--metadata", json.dumps({"authorization": f"Bearer {token}"}), *load, "--connections", "1",
        "--timeout", f"{call_timeout:g}s", "--format", "json", "--output", str(output), addr,
    ]
    finished = subprocess.run(command, capture_output=True, text=True, check=False, timeout=timeout)
    if not output.exists():
        raise InfrastructureError(f"ghz failed ({finished.returncode}): {finished.stderr.strip()[-500:]}",
                                  retryable=False)
    report: dict[str, object] = json.loads(output.read_text())
    return report


def _errors(report: dict[str, object]) -> int:
    # ghz cancels the calls still in flight when the duration ends ("the client connection is
    # closing", "use of closed network connection"); those are the load generator stopping.
    distribution = report.get("errorDistribution") or {}
    assert isinstance(distribution, dict)
    return sum(int(count) for message, count in distribution.items()
               if not any(marker in message for marker in _END_OF_RUN))


def _ms(report: dict[str, object], key: str) -> float:
    value = report.get(key, 0)
    return round(float(value) / 1e6, 3) if isinstance(value, int | float) else 0.0


def measure_latency(ghz: str, *, server: str, addr: str, token: str, migration_id: str, rps: int, seconds: float,
                    output: Path) -> LatencyResult:
    """Send ``GetMigration`` to ``addr`` at ``rps`` requests/s for ``seconds``; ghz's JSON report goes to ``output``.

    Raises:
        InfrastructureError: ghz failed to run.
        ContractError: the current directory is not in a repository holding the contracts.
    """
    report = _run_ghz(ghz, method="GetMigration", data={"migration_id": migration_id}, addr=addr, token=token,
                      load=["--rps", str(rps), "--duration", f"{seconds:g}s", "--concurrency", "16"],
                      timeout=seconds + 60, output=output)
    rate = report.get("rps", 0.0)
    return LatencyResult(
        server=server, target_rps=rps, achieved_rps=round(float(rate), 1) if isinstance(rate, int | float) else 0.0,
        requests=int(str(report.get("count", 0))), errors=_errors(report),
        p50_ms=round(_percentile(report, 50), 3), p90_ms=round(_percentile(report, 90), 3),
        p99_ms=round(_percentile(report, 99), 3), mean_ms=_ms(report, "average"),
    )


@dataclass(frozen=True)
class ReadLatency:
    """One read call made ``requests`` times one after another (no concurrency: each call's own time)."""

    call: str  # e.g. "ListMigrationItems, outcome conflict"
    requests: int
    errors: int
    p50_ms: float
    p90_ms: float
    p99_ms: float
    mean_ms: float
    slowest_ms: float


def measure_reads(ghz: str, *, call: str, method: str, data: dict[str, object], addr: str, token: str, calls: int,
                  output: Path) -> ReadLatency:
    """Send ``calls`` requests of ``method`` with ``data`` to ``addr``, each after the previous one answered.

    Raises:
        InfrastructureError: ghz failed to run.
        ContractError: the current directory is not in a repository holding the contracts.
    """
    report = _run_ghz(ghz, method=method, data=data, addr=addr, token=token,
                      load=["--total", str(calls), "--concurrency", "1"], timeout=calls * 30 + 60, output=output,
                      call_timeout=30.0)  # a slow read is a result here, not an error
    return ReadLatency(
        call=call, requests=int(str(report.get("count", 0))), errors=_errors(report),
        p50_ms=round(_percentile(report, 50), 3), p90_ms=round(_percentile(report, 90), 3),
        p99_ms=round(_percentile(report, 99), 3), mean_ms=_ms(report, "average"), slowest_ms=_ms(report, "slowest"),
    )
