"""The suite's summary: one row per scenario guarantee (scenario, guarantee, observed, pass/fail)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["ROW", "Entry", "Record", "Report", "render"]

Record = Callable[[str, str, str], None]  # record(scenario, guarantee, observed)
ROW = "faults_row"  # the key of a recorded row in its test report's ``user_properties``


@dataclass
class Entry:
    nodeid: str
    scenario: str
    guarantee: str
    observed: str
    outcome: str = "?"
    seconds: float = 0.0


class Report:
    """Rows recorded by the scenarios; the conftest fills in each test's outcome."""

    def __init__(self) -> None:
        self.entries: list[Entry] = []

    def add(self, nodeid: str, scenario: str, guarantee: str, observed: str) -> None:
        self.entries.append(Entry(nodeid, scenario, guarantee, observed))

    def settle(self, nodeid: str, outcome: str, seconds: float, failure: str) -> None:
        """Give every row of ``nodeid`` the test's outcome; a test that failed before recording gets a row."""
        rows = [e for e in self.entries if e.nodeid == nodeid]
        if not rows:
            rows = [Entry(nodeid, nodeid.rsplit("::", 1)[-1], "(failed before recording)", "")]
            self.entries.extend(rows)
        for entry in rows:
            entry.outcome = outcome
            entry.seconds = seconds
            if outcome != "pass" and failure:
                entry.observed = f"{entry.observed} | {failure}" if entry.observed else failure


def _clip(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def render(entries: list[Entry]) -> str:
    """A fixed-width table, one row per entry."""
    widths = (34, 56, 110, 4, 6)
    head = ("scenario", "guarantee", "observed", "ok", "secs")
    lines = [" | ".join(h.ljust(w) for h, w in zip(head, widths, strict=True)),
             "-+-".join("-" * w for w in widths)]
    for e in entries:
        cells = (_clip(e.scenario, widths[0]), _clip(e.guarantee, widths[1]), _clip(e.observed, widths[2]),
                 "PASS" if e.outcome == "pass" else "FAIL", f"{e.seconds:6.1f}")
        lines.append(" | ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)))
    return "\n".join(lines)
