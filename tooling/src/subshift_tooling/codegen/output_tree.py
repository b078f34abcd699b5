"""Writing a generated folder and checking it against a fresh build: the same for every client language.

A generator builds its whole output in memory (``Output``); ``write_tree`` puts it on disk and
``stale_in`` compares it with what is there, so writing and ``--check`` can never disagree.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path, PurePosixPath

from subshift_tooling.codegen.render import Output

__all__ = ["stale_in", "write_tree"]


def write_tree(files: Output, folder: Path) -> None:
    """Make ``folder`` hold exactly ``files``: written beside it, then swapped in (wiped and rebuilt), so a
    failed run never leaves a half-written folder."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    fresh = Path(tempfile.mkdtemp(prefix=f".{folder.name}-", dir=folder.parent))
    try:
        for relative, text in files.items():
            target = fresh / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8", newline="\n")
        if folder.exists():
            shutil.rmtree(folder)
        fresh.rename(folder)
    finally:
        shutil.rmtree(fresh, ignore_errors=True)


def stale_in(wanted: Output, folder: Path, *, ignored: Callable[[PurePosixPath], bool] = lambda _: False) -> list[str]:
    """Files under ``folder`` that differ from ``wanted``, each with why; empty when current.

    ``ignored`` names files that are on disk but never generated (caches such as ``__pycache__``).
    """
    present = {
        relative
        for path in (folder.rglob("*") if folder.exists() else ())
        if path.is_file() and not ignored(relative := PurePosixPath(path.relative_to(folder).as_posix()))
    }
    problems: list[str] = []
    for relative in sorted(set(wanted) | present):
        shown = (folder / relative).as_posix()
        if relative not in present:
            problems.append(f"{shown}: missing")
        elif relative not in wanted:
            problems.append(f"{shown}: not generated from the contracts (remove it)")
        elif (folder / relative).read_text(encoding="utf-8") != wanted[relative]:
            problems.append(f"{shown}: differs from the contracts")
    return problems
