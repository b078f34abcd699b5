"""A request stream that ended with its call is told apart from one the client closed."""

from __future__ import annotations

import pytest

from subshift.api.request_deadline import StreamCutOff, confirm_open


class _Call:
    """The two facts ``confirm_open`` reads from a servicer context."""

    def __init__(self, *, active: bool, remaining: float) -> None:
        self._active = active
        self._remaining = remaining

    def is_active(self) -> bool:
        return self._active

    def time_remaining(self) -> float:
        return self._remaining


def test_an_open_call_with_time_left_passes() -> None:
    confirm_open(_Call(active=True, remaining=4.5))  # type: ignore[arg-type]


@pytest.mark.parametrize(("active", "remaining"), [(False, 4.5), (True, 0.0), (False, 0.0)],
                         ids=["reset", "deadline passed", "both"])
def test_a_call_that_ended_is_cut_off(active: bool, remaining: float) -> None:
    with pytest.raises(StreamCutOff, match="nothing was kept"):
        confirm_open(_Call(active=active, remaining=remaining))  # type: ignore[arg-type]
