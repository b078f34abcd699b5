"""Find and replace one generated section of a Markdown file between its markers."""

from __future__ import annotations

import re

from subshift.errors import ContractError

__all__ = ["read_section", "replace_section"]


def _pattern(name: str) -> re.Pattern[str]:
    return re.compile(
        rf"(<!-- BEGIN GENERATED: {re.escape(name)} [^\n]*-->\n)(.*?)(<!-- END GENERATED: {re.escape(name)} -->)",
        re.DOTALL,
    )


def read_section(text: str, name: str) -> str:
    """The body between the markers of section ``name``.

    Raises:
        ContractError: the markers are missing.
    """
    match = _pattern(name).search(text)
    if match is None:
        raise ContractError(
            f"the document has no '<!-- BEGIN GENERATED: {name} … -->' … '<!-- END GENERATED: {name} -->' markers"
        )
    return match.group(2)


def replace_section(text: str, name: str, body: str) -> str:
    """``text`` with the body of section ``name`` replaced by ``body``.

    Raises:
        ContractError: the markers are missing.
    """
    read_section(text, name)
    return _pattern(name).sub(lambda match: match.group(1) + body + match.group(3), text, count=1)
