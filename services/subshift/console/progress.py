"""Progress bars: bytes and rows while uploading; published and applied while a migration runs."""

from __future__ import annotations

from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

from subshift.console.views import state_name
from subshift_client import UploadProgress
from subshift_client.migration_v1 import Migration

__all__ = ["UploadBar", "WatchBars"]


def _rows(count: int) -> str:
    return f"{count:,} row" if count == 1 else f"{count:,} rows"


class UploadBar:
    """``with UploadBar(console, total) as bar: client.create_migration(..., on_progress=bar.update)``.

    One line that fits 80 columns (a pipe's width too): what it is doing, a bar of fixed width, bytes,
    rows and time; the phase (uploading, retry N, validating) is the line's first word, not a column
    that could push the numbers out.
    """

    def __init__(self, console: Console, total_bytes: int | None) -> None:
        self._progress = Progress(
            TextColumn("[bold]{task.fields[phase]:<12}[/]"),
            BarColumn(bar_width=20),
            DownloadColumn(),
            TextColumn("{task.fields[rows]:>16}"),
            TimeElapsedColumn(),
            console=console,
        )
        self._task: TaskID = self._progress.add_task("upload", total=total_bytes, rows=_rows(0), phase="uploading")

    def __enter__(self) -> UploadBar:
        self._progress.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._progress.stop()

    def update(self, progress: UploadProgress) -> None:
        phase = f"retry {progress.attempt - 1}" if progress.attempt > 1 else "uploading"
        self._progress.update(
            self._task, completed=progress.bytes_sent, total=progress.total_bytes, rows=_rows(progress.rows_sent),
            phase=phase,
        )

    def validating(self) -> None:
        """Everything is sent; the server is still checking and staging."""
        self._progress.update(self._task, phase="validating")


class WatchBars:
    """Published and applied against staged, with the state beside them."""

    def __init__(self, console: Console) -> None:
        self._progress = Progress(
            TextColumn("{task.description:<10}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[state]}"),
            TimeElapsedColumn(),
            console=console,
        )
        self._published = self._progress.add_task("published", total=None, state="")
        self._applied = self._progress.add_task("outcomes", total=None, state="")

    def __enter__(self) -> WatchBars:
        self._progress.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._progress.stop()

    def update(self, migration: Migration) -> None:
        counts = migration.counts
        staged = counts.staged or None
        done = counts.applied + counts.skipped + counts.conflicts + counts.not_found + counts.cancelled
        done += counts.dead_lettered
        state = f"[cyan]{state_name(migration.state)}[/]"
        self._progress.update(self._published, completed=counts.published, total=staged, state=state)
        self._progress.update(self._applied, completed=done, total=staged, state=f"applied {counts.applied:,}")
