"""``subshift bench``: throughput, latency and memory of the real pipeline beside raw baselines.

Every stage runs against the local stack with the services as real processes; see ``run`` for
the order of a run and ``report`` for what it records.
"""

from __future__ import annotations

from subshift_tooling.bench.options import BenchOptions
from subshift_tooling.bench.render import render
from subshift_tooling.bench.report import BenchReport
from subshift_tooling.bench.run import run_bench

__all__ = ["BenchOptions", "BenchReport", "render", "run_bench"]
