"""Unary latency: ``GetMigration`` at fixed request rates, measured by ghz, beside a do-nothing servicer.

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

__all__ = ["LatencyResult", "find_ghz", "measure_latency"]

_METHOD = "subshift.migration.v1.MigrationService.GetMigration"
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


def measure_latency(ghz: str, *, server: str, addr: str, token: str, migration_id: str, rps: int, seconds: float,
                    output: Path) -> LatencyResult:
    """Send ``GetMigration`` to ``addr`` at ``rps`` requests/s for ``seconds``; ghz's JSON report goes to ``output``.

    Raises:
        InfrastructureError: ghz failed to run.
        ContractError: the current directory is not in a repository holding the contracts.
    """
    proto_root = find_repository() / "contracts" / "proto"
    command = [
        ghz, "--insecure", "--proto", str(proto_root / _PROTO), "--import-paths", str(proto_root), "--call", _METHOD,
        "--data", json.dumps({"migration_id": migration_id}),
        "--metadata", json.dumps({"authorization": f"Bearer {token}"}),
        "--rps", str(rps), "--duration", f"{seconds:g}s", "--concurrency", "16", "--connections", "1",
        "--timeout", "5s", "--format", "json", "--output", str(output), addr,
    ]
    finished = subprocess.run(command, capture_output=True, text=True, check=False, timeout=seconds + 60)
    if not output.exists():
        raise InfrastructureError(f"ghz failed ({finished.returncode}): {finished.stderr.strip()[-500:]}",
                                  retryable=False)
    report = json.loads(output.read_text())
    # ghz cancels the calls still in flight when the duration ends ("the client connection is
    # closing", "use of closed network connection"); those are the load generator stopping.
    errors = sum(int(count) for message, count in (report.get("errorDistribution") or {}).items()
                 if not any(marker in message for marker in _END_OF_RUN))
    return LatencyResult(
        server=server, target_rps=rps, achieved_rps=round(float(report.get("rps", 0.0)), 1),
        requests=int(report.get("count", 0)), errors=errors,
        p50_ms=round(_percentile(report, 50), 3), p90_ms=round(_percentile(report, 90), 3),
        p99_ms=round(_percentile(report, 99), 3), mean_ms=round(float(report.get("average", 0)) / 1e6, 3),
    )
