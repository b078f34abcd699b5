"""``python -m subshift_tooling.readme [--check] [--bench REPORT.json]``: rewrite (or check) the generated docs.

``--bench`` first makes a bench report (``.subshift/bench/<stamp>.json``) the one the README's
performance table shows, by copying it to ``docs/performance/latest-bench.json``.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from subshift_tooling.readme import BENCH_REPORT, DOCUMENTS, REPO, generated_sections, read_section, replace_section

_USAGE = "usage: python -m subshift_tooling.readme [--check] [--bench REPORT.json]"


def main(argv: list[str]) -> int:
    check = "--check" in argv
    rest = [arg for arg in argv if arg != "--check"]
    if rest[:1] == ["--bench"] and len(rest) == 2:
        report = Path(rest[1])
        if not report.is_file():
            print(f"{report}: no such bench report", file=sys.stderr)
            return 2
        shutil.copyfile(report, REPO / BENCH_REPORT)
    elif rest:
        print(_USAGE, file=sys.stderr)
        return 2
    sections = generated_sections(REPO)
    stale: list[str] = []
    for name, body in sections.items():
        path = REPO / DOCUMENTS[name]
        text = path.read_text(encoding="utf-8")
        if check:
            if read_section(text, name) != body:
                stale.append(f"{DOCUMENTS[name]} ({name})")
            continue
        path.write_text(replace_section(text, name, body), encoding="utf-8")
        print(f"{DOCUMENTS[name]}: regenerated {name}")
    if stale:
        print(f"stale generated sections: {', '.join(stale)}; run `python -m subshift_tooling.readme`")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
