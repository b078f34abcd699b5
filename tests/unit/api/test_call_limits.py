"""Caps on open calls: per caller and overall, refused with a message naming the setting, released on leave."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from subshift.api.call_limits import CallLimits, LimitExceeded
from subshift.config import ApiSettings


def _limits() -> CallLimits:
    return CallLimits(ApiSettings(max_watches=3, max_watches_per_caller=2, max_calls_per_caller=5))


def test_a_caller_past_its_own_cap_is_refused_naming_the_per_caller_setting() -> None:
    limits = _limits()
    watch = (limits.calls, limits.watches)
    limits.enter(watch, "ann")
    limits.enter(watch, "ann")
    with pytest.raises(LimitExceeded, match=r"the limit is 2 \(api.max_watches_per_caller\)"):
        limits.enter(watch, "ann")
    assert limits.open_count("watch", "ann") == 2
    assert limits.open_count("call", "ann") == 2, "a refused call counts nowhere"


def test_callers_together_past_the_overall_cap_are_refused_naming_the_overall_setting() -> None:
    limits = _limits()
    watch = (limits.calls, limits.watches)
    for subject in ("ann", "ann", "bob"):
        limits.enter(watch, subject)
    with pytest.raises(LimitExceeded, match=r"the limit is 3 \(api.max_watches\)"):
        limits.enter(watch, "cid")


def test_leaving_frees_the_place_and_forgets_idle_callers() -> None:
    limits = _limits()
    watch = (limits.calls, limits.watches)
    limits.enter(watch, "ann")
    limits.leave(watch, "ann")
    assert limits.open_count("watch") == 0
    assert limits.open_count("watch", "ann") == 0
    limits.enter(watch, "ann")
    limits.enter(watch, "ann")


@pytest.mark.parametrize("settings", [
    {"max_workers": 8, "max_watches": 4, "max_uploads": 3},
    {"max_watches": 2, "max_watches_per_caller": 3},
    {"max_uploads": 1, "max_uploads_per_caller": 2},
    {"max_workers": 8, "max_watches": 2, "max_uploads": 2, "max_calls_per_caller": 7},
], ids=["caps leave no thread for short calls", "watch cap below per caller", "upload cap below per caller",
        "one caller could take every thread"])
def test_settings_that_would_let_callers_starve_the_api_are_refused(settings: dict[str, int]) -> None:
    with pytest.raises(ValidationError):
        ApiSettings.model_validate(settings)


def test_http2_limits_reach_grpc_core() -> None:
    options = dict(ApiSettings(max_concurrent_streams=10, max_connection_age_seconds=60).grpc_options())
    assert options["grpc.max_concurrent_streams"] == 10
    assert options["grpc.max_connection_age_ms"] == 60_000
    assert options["grpc.keepalive_permit_without_calls"] == 0
    assert {"grpc.keepalive_time_ms", "grpc.http2.max_ping_strikes", "grpc.max_connection_idle_ms"} <= set(options)
