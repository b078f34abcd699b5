"""The faults tier's summary table, printed at the end of the session and kept in ``.subshift/faults``.

A pytest plugin (the root ``conftest.py`` loads it): it builds the table from test reports, because
under xdist the scenarios run in a worker and only their reports, each carrying the rows its
scenario recorded (``user_properties``), reach the process that prints.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from .report import ROW, Report, render

_REPORT = Report()
_TIER = "tests/faults/"
_SUMMARY = Path(__file__).resolve().parents[3] / ".subshift" / "faults" / "summary.txt"


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if not (report.nodeid.startswith(_TIER) and (report.when == "call" or report.failed)):
        return
    for key, row in report.user_properties:
        if key == ROW:
            _REPORT.add(report.nodeid, *row)
    failure = ""
    if report.failed:
        failure = str(report.longrepr.reprcrash.message if hasattr(report.longrepr, "reprcrash")
                      else report.longrepr)[:300]
    _REPORT.settle(report.nodeid, "pass" if report.passed else "fail", report.duration, failure)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, config: pytest.Config) -> None:
    if not _REPORT.entries or hasattr(config, "workerinput"):  # an xdist worker: the controller prints
        return
    table = render(_REPORT.entries)
    terminalreporter.section("faults: scenario, guarantee, observed, pass/fail")
    terminalreporter.write_line(table)
    _SUMMARY.parent.mkdir(parents=True, exist_ok=True)
    _SUMMARY.write_text(table + "\n", encoding="utf-8")
