"""The docs' generated sections: the configuration reference, the CLI reference and the README's performance table.

They are built from the settings classes, the commands' own help and the committed bench report
(``docs/performance/latest-bench.json``), written between ``<!-- BEGIN GENERATED: name -->`` and
``<!-- END GENERATED: name -->`` markers of the files in ``DOCUMENTS`` by ``python -m subshift_tooling.readme``
(``--check`` fails when any is stale; a test runs the same check).
"""

from __future__ import annotations

from pathlib import Path

from subshift_tooling.readme.cli_reference import cli_reference
from subshift_tooling.readme.config_table import config_table
from subshift_tooling.readme.markers import read_section, replace_section
from subshift_tooling.readme.performance_table import load_report, performance_table

__all__ = [
    "BENCH_REPORT",
    "DOCUMENTS",
    "REPO",
    "cli_reference",
    "config_table",
    "generated_sections",
    "performance_table",
    "read_section",
    "replace_section",
]

REPO = Path(__file__).resolve().parents[4]
# The bench report the README's table shows: the newest full run, copied here by ``--bench`` (the bench's
# own reports stay under the stack's state folder, which is not committed).
BENCH_REPORT = Path("docs/performance/latest-bench.json")
# Each generated section by the file that holds it, relative to the repository.
DOCUMENTS: dict[str, Path] = {
    "cli": Path("docs/reference/cli.md"),
    "config": Path("docs/reference/config.md"),
    "performance": Path("README.md"),
}


def generated_sections(repo: Path = REPO) -> dict[str, str]:
    """Every generated section's body by section name."""
    from subshift.cli.main import app

    return {
        "cli": cli_reference(app),
        "config": config_table(),
        "performance": performance_table(load_report(repo / BENCH_REPORT)),
    }
