"""The apply-floor tool runs each variant on the real PostgreSQL; speed is never asserted, only that it measured."""

from __future__ import annotations

import pytest

from subshift.config import Settings
from subshift_tooling.bench.apply_floor import VARIANTS, measure


@pytest.mark.parametrize("mix", ["applied", "mixed"])
def test_every_variant_is_measured_and_both_rounds_stand(settings: Settings, mix: str) -> None:
    # 30,000 rows on six partitions: one full 5,000-row batch each, drawn as the pipeline sends them.
    results = measure(settings, rows=30_000, shape="pipeline", mix=mix, cycles=2)

    assert sorted(results) == sorted(VARIANTS)
    assert all(len(values) == 2 and min(values) >= 0 for values in results.values())
