"""Keyset pages for every list (DESIGN.md "Performance habits"): at most PAGE_SIZE rows, the
next page continues after the last id shown (`?after=`), so a deep page costs what the first
does. A page reads one row more than it shows: that row only says whether a 次へ link is
needed, so the last page never links to an empty one. Templates draw the links with
`_macros/pager.html`, which keeps the list's filters in the URL."""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select

from portal.db import inline

PAGE_SIZE = 50


@dataclass(frozen=True)
class Page:
    rows: list
    next_after: int | None  # the `after` of the next page; None on the last one

    def __iter__(self):
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)

    def __bool__(self) -> bool:
        return bool(self.rows)

    def __getitem__(self, index):
        return self.rows[index]


def keyset(stmt: Select, column, after: int | None, size: int = PAGE_SIZE,
           descending: bool = False) -> Select:
    """`stmt` limited to one page after `after` in `column` order (one row more than shown,
    see page_of)."""
    if after is not None:
        stmt = stmt.where(column < after if descending else column > after)
    return stmt.order_by(column.desc() if descending else column).limit(inline(size + 1))


def page_of(rows: Sequence, size: int = PAGE_SIZE,
            key: Callable[[Any], int] = lambda row: row.id) -> Page:
    """The rows a keyset() statement read, cut to `size`, with the next page's `after`."""
    shown = list(rows[:size])
    return Page(shown, key(shown[-1]) if len(rows) > size else None)
