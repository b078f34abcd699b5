"""The bench says where a run's CPU went, and whether the CPU bounds it."""

from __future__ import annotations

import pytest

from subshift_tooling.bench.cpu_budget import CpuBudget


def test_consumers_are_one_part_and_parts_are_listed_busiest_first() -> None:
    budget = CpuBudget.of(rows=1_000_000, seconds=50.0, cores=2,
                          cpu={"consumer-2x-1": 20.0, "consumer-2x-2": 22.0, "postgres": 34.0, "kafka": 3.0})
    assert budget.cpu_seconds == {"consumers": 42.0, "postgres": 34.0, "kafka": 3.0}
    assert budget.micros_per_row() == pytest.approx({"consumers": 42.0, "postgres": 34.0, "kafka": 3.0})
    assert budget.busy_cores == pytest.approx(1.58)


def test_a_run_keeping_nearly_every_core_busy_is_cpu_bound() -> None:
    budget = CpuBudget.of(rows=1_000_000, seconds=66.5, cores=2,
                          cpu={"postgres": 54.6, "consumer-1": 20.3, "consumer-2": 19.3, "relay": 21.1, "api": 5.4})
    assert budget.cpu_bound
    assert budget.verdict() == ("CPU-bound (1.82 of 2 cores busy); "
                                "CPU µs per row: postgres 55, consumers 40, relay 21, api 5")


def test_a_run_leaving_cores_idle_waits_on_something_else() -> None:
    budget = CpuBudget.of(rows=100_000, seconds=10.0, cores=2, cpu={"consumer-1x-1": 4.0, "postgres": 6.0})
    assert not budget.cpu_bound
    assert budget.verdict().startswith("not CPU-bound (1.00 of 2 cores busy): waits on something else")


def test_an_empty_run_divides_by_nothing() -> None:
    budget = CpuBudget.of(rows=0, seconds=0.0, cores=2, cpu={})
    assert budget.busy_cores == 0.0 and not budget.cpu_bound and budget.micros_per_row() == {}
