"""``python -m subshift.readme [--check] [README]``: rewrite (or check) the README's generated sections."""

from __future__ import annotations

import sys
from pathlib import Path

from subshift.readme import generated_sections, read_section, replace_section


def main(argv: list[str]) -> int:
    check = "--check" in argv
    paths = [arg for arg in argv if not arg.startswith("--")]
    readme = Path(paths[0]) if paths else Path(__file__).resolve().parents[3] / "README.md"
    text = readme.read_text(encoding="utf-8")
    sections = generated_sections()
    if check:
        stale = [name for name, body in sections.items() if read_section(text, name) != body]
        if stale:
            print(f"{readme}: stale generated sections {', '.join(stale)}; run `python -m subshift.readme`")
            return 1
        return 0
    for name, body in sections.items():
        text = replace_section(text, name, body)
    readme.write_text(text, encoding="utf-8")
    print(f"{readme}: regenerated {', '.join(sections)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
