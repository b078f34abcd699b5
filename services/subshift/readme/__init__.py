"""The README's generated sections: the configuration table and the CLI reference.

They are built from the settings classes and the commands' own help, written between
``<!-- BEGIN GENERATED: name -->`` and ``<!-- END GENERATED: name -->`` markers by
``python -m subshift.readme`` (``--check`` fails when the README is stale; a test runs it).
"""

from __future__ import annotations

from subshift.readme.cli_reference import cli_reference
from subshift.readme.config_table import config_table
from subshift.readme.markers import read_section, replace_section

__all__ = ["cli_reference", "config_table", "generated_sections", "read_section", "replace_section"]


def generated_sections() -> dict[str, str]:
    """Every generated section by marker name."""
    from subshift.cli.main import app

    return {"config": config_table(), "cli": cli_reference(app)}
