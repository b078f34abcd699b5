"""Every relative link in README.md and docs/**/*.md resolves: the file (or folder) exists and, for a
``#anchor``, the target file has a heading with that anchor (GitHub's rule: lower case, punctuation dropped,
spaces as hyphens, a repeated heading numbered ``-1``, ``-2``…)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
DOCUMENTS = sorted([REPO / "README.md", *(REPO / "docs").rglob("*.md")])

_FENCE = re.compile(r"^(```|~~~)")
_LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]*)(?:\s+\"[^\"]*\")?\)")
_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_CODE_SPAN = re.compile(r"`[^`]*`")


def _prose_lines(text: str) -> Iterator[tuple[int, str]]:
    """The lines outside fenced code blocks, numbered from 1."""
    fenced = False
    for number, line in enumerate(text.splitlines(), start=1):
        if _FENCE.match(line.lstrip()):
            fenced = not fenced
            continue
        if not fenced:
            yield number, line


def anchors(text: str) -> set[str]:
    """The anchors GitHub gives the headings of a Markdown text."""
    seen: dict[str, int] = {}
    found = set()
    for _, line in _prose_lines(text):
        match = _HEADING.match(line)
        if match is None:
            continue
        title = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", match.group(2))
        slug = re.sub(r"[^\w\- ]", "", title.lower()).replace(" ", "-")
        count = seen.get(slug, 0)
        seen[slug] = count + 1
        found.add(slug if count == 0 else f"{slug}-{count}")
    return found


def links(text: str) -> Iterator[tuple[int, str]]:
    """Relative link targets with their line, outside code blocks and code spans."""
    for number, line in _prose_lines(text):
        for match in _LINK.finditer(_CODE_SPAN.sub("", line)):
            target = match.group(1)
            if not re.match(r"^[a-z][a-z0-9+.-]*:", target):  # http:, https:, mailto: are not ours to check
                yield number, target


def broken_links(document: Path, root: Path = REPO) -> list[str]:
    """Each link of ``document`` that does not resolve, as ``file:line: target: why`` (paths from ``root``)."""
    broken = []
    for number, target in links(document.read_text(encoding="utf-8")):
        path_part, _, anchor = target.partition("#")
        resolved = (document.parent / path_part).resolve() if path_part else document
        where = f"{document.relative_to(root)}:{number}: {target}"
        if not target:  # what a code span as the target leaves: GitHub renders no link there
            broken.append(f"{where}: empty link target")
        elif not resolved.exists():
            broken.append(f"{where}: no such file")
        elif anchor and resolved.suffix == ".md" and anchor not in anchors(resolved.read_text(encoding="utf-8")):
            broken.append(f"{where}: {resolved.relative_to(root)} has no heading with anchor #{anchor}")
    return broken


def test_the_documents_checked_include_the_readme_and_the_docs_folder() -> None:
    names = {str(document.relative_to(REPO)) for document in DOCUMENTS}
    assert {"README.md", "docs/architecture.md", "docs/reference/cli.md"} <= names


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda document: str(document.relative_to(REPO)))
def test_every_relative_link_resolves(document: Path) -> None:
    assert broken_links(document) == []


def test_the_readme_stays_under_400_lines() -> None:
    lines = (REPO / "README.md").read_text(encoding="utf-8").count("\n")
    assert lines < 400, f"README.md has {lines} lines; move detail into docs/ and link to it"


def test_anchors_follow_githubs_rule() -> None:
    text = "# Using Subshift\n## From Python: the client library\n### `subshift migrate upload`\n## Using Subshift\n"
    assert anchors(text) == {"using-subshift", "from-python-the-client-library", "subshift-migrate-upload",
                             "using-subshift-1"}


def test_a_link_to_a_missing_file_or_heading_is_reported(tmp_path: Path) -> None:
    (tmp_path / "README.md").write_text("# Subshift\n## Operations\n", encoding="utf-8")
    (tmp_path / "docs").mkdir()
    document = tmp_path / "docs" / "probe.md"
    document.write_text("[a](../README.md#no-such-heading) [b](nowhere.md) [c](../README.md#operations)\n"
                        "[f](`code.md`)\n"
                        "`[d](in-a-code-span.md)`\n```\n[e](in-a-fence.md)\n```\n", encoding="utf-8")
    assert broken_links(document, tmp_path) == [
        "docs/probe.md:1: ../README.md#no-such-heading: README.md has no heading with anchor #no-such-heading",
        "docs/probe.md:1: nowhere.md: no such file",
        "docs/probe.md:2: : empty link target",
    ]


def test_every_doc_a_code_comment_names_exists() -> None:
    """Comments link to the performance records instead of quoting numbers; those links must not rot."""
    named = {
        (source.relative_to(REPO), match.group(0))
        for source in (REPO / "services").rglob("*.py")
        for match in re.finditer(r"docs/[\w./-]+\.md", source.read_text(encoding="utf-8"))
    }
    assert any("docs/performance/" in doc for _, doc in named)
    assert [f"{source}: {doc}" for source, doc in sorted(named) if not (REPO / doc).is_file()] == []
