"""A page of a long list: what a domain's service returns for the coordination's lists (issue 18).

A service builds its statement (filters, the sort it allows), then ``paginate`` counts the rows and
reads one page; the web layer only reads the page number, the sort and the search from the address."""
from dataclasses import dataclass
from math import ceil

from sqlalchemy import func, select

PAGE_SIZE = 25


@dataclass(frozen=True)
class Page:
    items: list
    number: int  # 1-based, within 1..pages
    size: int
    total: int
    sort: str  # the sort key applied (one of the service's keys)
    descending: bool = False

    @property
    def pages(self) -> int:
        return max(1, ceil(self.total / self.size))

    @property
    def first(self) -> int:
        """The position of the page's first item in the whole list (0 when it is empty)."""
        return (self.number - 1) * self.size + 1 if self.total else 0

    @property
    def last(self) -> int:
        return self.first + len(self.items) - 1 if self.items else 0

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages

    def numbers(self, around: int = 2) -> list[int | None]:
        """The page numbers a pager shows: the first, the last and ``around`` on each side of the current
        one; None where numbers are left out."""
        shown = sorted({1, self.pages, *range(max(1, self.number - around), min(self.pages, self.number + around) + 1)})
        out: list[int | None] = []
        for number in shown:
            if out and number - (out[-1] or 0) > 1:
                out.append(None)
            out.append(number)
        return out


def sort_key(requested: str | None, allowed, default: str) -> str:
    return requested if requested in allowed else default


def paginate(session, statement, *, number: int, size: int = PAGE_SIZE, sort: str, descending: bool = False,
             scalars: bool = True) -> Page:
    """One page of ``statement`` (already filtered and ordered); a number past the end gives the last page."""
    total = session.scalar(select(func.count()).select_from(statement.order_by(None).subquery()))
    pages = max(1, ceil(total / size))
    number = min(max(1, number), pages)
    paged = statement.limit(size).offset((number - 1) * size)
    items = list(session.scalars(paged) if scalars else session.execute(paged))
    return Page(items, number, size, total, sort, descending)


def page_of(items: list, *, number: int, size: int = PAGE_SIZE, sort: str, descending: bool = False) -> Page:
    """One page of a list already filtered and sorted in memory (rows a service computes anyway)."""
    total = len(items)
    number = min(max(1, number), max(1, ceil(total / size)))
    return Page(items[(number - 1) * size:number * size], number, size, total, sort, descending)
