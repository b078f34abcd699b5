"""``subshift bench``: throughput, latency and memory of the real pipeline beside raw baselines.

Every stage runs against the local stack with the services as real processes; see ``run`` for
the order of a run and ``report`` for what it records.
"""

from __future__ import annotations

from subshift.bench.options import BenchOptions
from subshift.bench.render import render
from subshift.bench.report import BenchReport
from subshift.bench.run import run_bench

__all__ = ["BenchOptions", "BenchReport", "render", "run_bench"]
