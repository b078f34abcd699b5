"""Generation is deterministic and the committed client matches the contracts."""

from __future__ import annotations

from pathlib import Path

from subshift_tooling.codegen import CodegenPaths, build, generate, stale_files
from subshift_tooling.codegen.render import GENERATED_NOTE

REPO = Path(__file__).resolve().parents[3]  # this checkout, whatever the venv was installed from


def _snapshot(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_two_runs_write_byte_identical_files(repo_copy: CodegenPaths) -> None:
    generate(repo_copy)
    first = _snapshot(repo_copy.output)
    generate(repo_copy)
    assert _snapshot(repo_copy.output) == first
    assert len(first) > 10


def test_committed_client_is_up_to_date_with_the_contracts() -> None:
    assert stale_files(CodegenPaths.for_repo(REPO)) == []


def test_every_generated_python_file_says_it_is_generated(repo_copy: CodegenPaths) -> None:
    for path, text in build(repo_copy).items():
        assert text.startswith(f"# {GENERATED_NOTE}\n"), path


def test_generated_imports_never_name_the_server_package(repo_copy: CodegenPaths) -> None:
    for path, text in build(repo_copy).items():
        for line in text.splitlines():
            if line.startswith(("import ", "from ")):
                assert not line.split()[1].startswith("subshift."), f"{path}: {line}"


def test_a_rerun_wipes_files_that_are_no_longer_generated(repo_copy: CodegenPaths) -> None:
    generate(repo_copy)
    leftover = repo_copy.output / "records" / "removed_schema.py"
    leftover.write_text("x = 1\n", encoding="utf-8")
    generate(repo_copy)
    assert not leftover.exists()
