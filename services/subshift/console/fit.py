"""Tables that fit the width they are printed at, without ever cutting a number or an id.

Rich shrinks a table that is too wide by cutting its cells: in a pipe (80 columns) ``19,995``
became ``19``. A ``FittedTable`` measures itself when printed instead:

1. every column is as wide as its widest cell; numbers and ids (``Column.whole``) never shrink;
   free text (``Column.text``) folds at word boundaries into the width left, down to ``MIN_TEXT``;
2. while that is still too wide, columns are dropped in their stated order (``Column.drop``,
   lowest first), and the caption names them (``--output json`` shows everything);
3. when the columns that are never dropped do not fit either, every row is printed as a block of
   ``name  value`` lines (a vertical layout), which fits any width.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from rich import box
from rich.console import Console, ConsoleOptions, RenderResult
from rich.measure import Measurement
from rich.table import Table
from rich.text import Text

__all__ = ["MIN_TEXT", "Cell", "Column", "FittedTable"]

MIN_TEXT = 16
"""Narrowest a free-text column folds to before the table drops it or turns vertical."""

Cell = str | Text


@dataclass(frozen=True)
class Column:
    """A column: ``whole`` values are never cut (numbers, ids); ``text`` folds; ``drop`` orders dropping."""

    header: str
    numeric: bool = False
    text: bool = False
    drop: int | None = None  # None: kept while anything is shown; else dropped in ascending order when too wide
    style: str | None = None

    @property
    def whole(self) -> bool:
        return not self.text


def _width(cell: Cell) -> int:
    plain = cell.plain if isinstance(cell, Text) else cell
    return max((len(line) for line in plain.splitlines()), default=0)


class FittedTable:
    """A table of ``columns`` that fits the width it is printed at (see the module doc)."""

    def __init__(self, columns: Sequence[Column], *, title: str | None = None, caption: str | None = None) -> None:
        self.columns = list(columns)
        self.title = title
        self.caption = caption
        self.rows: list[list[Cell]] = []

    def add_row(self, *cells: Cell) -> None:
        if len(cells) != len(self.columns):
            raise ValueError(f"{len(cells)} cells for {len(self.columns)} columns")
        self.rows.append(list(cells))

    def _natural(self, index: int) -> int:
        column = self.columns[index]
        return max([len(column.header), *(_width(row[index]) for row in self.rows)])

    def _needed(self, kept: Sequence[int]) -> int:
        # No outer edge or padding; three characters between two columns (space, rule, space).
        widths = [min(self._natural(i), MIN_TEXT) if self.columns[i].text else self._natural(i) for i in kept]
        return sum(widths) + 3 * max(len(kept) - 1, 0)

    def layout(self, width: int) -> tuple[list[int], list[str]] | None:
        """The columns kept and the headers dropped to fit ``width``; None when only a vertical layout fits."""
        kept = list(range(len(self.columns)))
        order = sorted((c.drop, i) for i, c in enumerate(self.columns) if c.drop is not None)
        dropped: list[str] = []
        for _, index in order:
            if self._needed(kept) <= width:
                break
            kept.remove(index)
            dropped.append(self.columns[index].header)
        if self._needed(kept) > width:
            return None
        return kept, dropped

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        fitted = self.layout(options.max_width)
        if fitted is None:
            yield from self._vertical()
            return
        kept, dropped = fitted
        yield self._horizontal(kept, dropped)

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        return Measurement(1, options.max_width)

    def _horizontal(self, kept: list[int], dropped: list[str]) -> Table:
        table = Table(title=self.title, title_justify="left", box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
        for index in kept:
            column = self.columns[index]
            if column.text:
                table.add_column(column.header, style=column.style, overflow="fold", min_width=MIN_TEXT)
            else:
                table.add_column(column.header, style=column.style, no_wrap=True, min_width=self._natural(index),
                                 justify="right" if column.numeric else "left")
        for row in self.rows:
            table.add_row(*(row[i] for i in kept))
        notes = [self.caption] if self.caption else []
        if dropped:
            notes.append(f"not shown at this width: {', '.join(dropped)} (--output json shows every field)")
        if notes:
            table.caption = "; ".join(notes)
            table.caption_justify = "left"
        return table

    def _vertical(self) -> Iterator[Table | Text]:
        if self.title:
            yield Text(self.title, style="italic")
        for row in self.rows:
            block = Table(show_header=False, box=None, padding=(0, 2, 0, 0))
            block.add_column("field", style="dim", no_wrap=True)
            block.add_column("value", overflow="fold")
            for column, cell in zip(self.columns, row, strict=True):
                block.add_row(column.header, cell)
            yield block
            yield Text("")
        if self.caption:
            yield Text(self.caption, style="dim")
