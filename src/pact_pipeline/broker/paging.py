"""Pages of long lists, as the Pact Broker pages them: ``pageNumber``/``pageSize`` (or
``page``/``size``), numbered from 1, and each page described by its number, its size and the
totals. Without paging parameters a list is answered whole, as before."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")

#: The page size when only a page number is given (the Ruby broker's default).
DEFAULT_PAGE_SIZE = 100


@dataclass(frozen=True)
class PageRequest:
    """The page a client asked for: ``number`` from 1, ``size`` items per page."""

    number: int = 1
    size: int = DEFAULT_PAGE_SIZE

    @property
    def offset(self) -> int:
        return (self.number - 1) * self.size


@dataclass(frozen=True)
class PageInfo:
    """What a paged answer says about itself (the Ruby broker's ``page`` object)."""

    number: int
    size: int
    total_elements: int

    @property
    def total_pages(self) -> int:
        """At least one: an empty list still has its (empty) first page, as Sequel counts."""
        return max(1, -(-self.total_elements // self.size))

    @classmethod
    def of(cls, request: PageRequest, total_elements: int) -> PageInfo:
        return cls(request.number, request.size, total_elements)


@dataclass(frozen=True)
class Page(Generic[T]):
    """A list's items, with the page's description when the list was paged (else None)."""

    items: Sequence[T]
    info: PageInfo | None = None
