"""Running as root, a cluster whose state folder the `postgres` user cannot enter is kept where it can
(instead of initdb's bare "Permission denied")."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from subshift_tooling.stack.postgres_home import RELOCATED_ROOT, blocking_folder, postgres_home

OTHER = 54321  # a user and group that own nothing here


@pytest.fixture
def open_base() -> Iterator[Path]:
    """A folder under /tmp that everyone may enter (pytest's own tmp_path sits under a 700 folder)."""
    base = Path(tempfile.mkdtemp(prefix="subshift-reach-"))
    base.chmod(0o755)
    yield base.resolve()
    shutil.rmtree(base, ignore_errors=True)


def test_a_folder_closed_to_others_blocks_a_user_that_does_not_own_it(open_base: Path) -> None:
    closed = open_base / "home"
    cluster = closed / "checkout" / ".subshift" / "postgres"
    cluster.mkdir(parents=True)
    closed.chmod(0o700)
    try:
        assert blocking_folder(cluster, OTHER, {OTHER}) == closed
    finally:
        closed.chmod(0o755)


def test_open_folders_block_nobody(open_base: Path) -> None:
    cluster = open_base / "open" / ".subshift" / "postgres"
    cluster.mkdir(parents=True)
    for folder in (open_base / "open", open_base / "open" / ".subshift"):
        folder.chmod(0o755)
    assert blocking_folder(cluster, OTHER, {OTHER}) is None


def test_a_state_folder_closed_to_the_postgres_user_moves_the_cluster_where_it_can_reach(open_base: Path) -> None:
    closed = open_base / "home"
    state = closed / "checkout" / ".subshift"
    state.mkdir(parents=True)
    closed.chmod(0o700)
    try:
        home, again = postgres_home(state), postgres_home(state)
    finally:
        closed.chmod(0o755)
    # This suite runs as root (the stack needs it to run PostgreSQL as its own user).
    assert home.parent == RELOCATED_ROOT
    assert home == again, "every command of this checkout must find the same cluster"


def test_a_reachable_state_folder_keeps_the_cluster_in_it(open_base: Path) -> None:
    state = open_base / "open" / ".subshift"
    state.mkdir(parents=True)
    (open_base / "open").chmod(0o755)
    assert postgres_home(state) == state / "postgres"
