"""Reading one page of a query: its rows (``LIMIT``/``OFFSET``) and the count of all rows."""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from pact_pipeline.broker.paging import Page, PageInfo, PageRequest

T = TypeVar("T")


def count_rows(session: Session, query: Select[Any]) -> int:
    """How many rows ``query`` returns (its ordering dropped)."""
    counted = select(func.count()).select_from(query.order_by(None).subquery())
    return int(session.scalar(counted) or 0)


def limit_to_page(query: Select[Any], page: PageRequest) -> Select[Any]:
    return query.limit(page.size).offset(page.offset)


def scalars_page(session: Session, query: Select[T], page: PageRequest | None) -> Page[T]:
    """Every entity ``query`` selects, or only the page's (with the page's description)."""
    if page is None:
        return Page(session.scalars(query).all())
    items = session.scalars(limit_to_page(query, page)).all()
    return Page(items, PageInfo.of(page, count_rows(session, query)))
