"""The paging query parameters, checked as the Pact Broker's ``PaginationQueryParamsSchema``
does: ``page``/``size`` (or the older ``pageNumber``/``pageSize``), whole numbers from 1."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated

from fastapi import Depends

from pact_pipeline.broker.errors import InvalidRequestError
from pact_pipeline.broker.paging import DEFAULT_PAGE_SIZE, PageRequest

#: (number, size) parameter names: the current pair first, as the Ruby broker prefers it.
PAGING_PARAMETERS = (("page", "size"), ("pageNumber", "pageSize"))
ALL_PAGING_PARAMETERS = frozenset(name for pair in PAGING_PARAMETERS for name in pair)
#: Larger values cannot be a page of any list (and would overflow the database's offsets).
MAX_PAGING_VALUE = 2**31 - 1


def page_request(query: Mapping[str, str]) -> PageRequest | None:
    """The page asked for, None for the whole list, or a 400 naming each bad parameter."""
    values: dict[str, int | None] = {}
    errors: dict[str, list[str]] = {}
    for name in sorted(ALL_PAGING_PARAMETERS):
        raw = query.get(name)
        values[name] = None
        if raw is None or raw.strip() == "":
            continue
        try:
            value = int(raw.strip())
        except ValueError:
            errors[name] = ["must be an integer"]
            continue
        if value < 1:
            errors[name] = ["must be greater than or equal to 1"]
        elif value > MAX_PAGING_VALUE:
            errors[name] = [f"must be less than or equal to {MAX_PAGING_VALUE}"]
        else:
            values[name] = value
    if errors:
        raise InvalidRequestError(errors)
    for number_name, size_name in PAGING_PARAMETERS:
        number, size = values[number_name], values[size_name]
        if number is not None or size is not None:
            return PageRequest(number or 1, size or DEFAULT_PAGE_SIZE)
    return None


def paging_parameters(
    page: str | None = None,
    size: str | None = None,
    pageNumber: str | None = None,
    pageSize: str | None = None,
) -> PageRequest | None:
    """The page a list resource was asked for (its parameters declared for the OpenAPI
    document, checked here rather than by FastAPI so errors read as the Ruby broker's)."""
    given = {"page": page, "size": size, "pageNumber": pageNumber, "pageSize": pageSize}
    return page_request({k: v for k, v in given.items() if v is not None})


def name_filter(q: str | None = None) -> str | None:
    """The ``q`` parameter: keep the items whose name contains it (any case); blank is none."""
    return q if q else None


#: The page asked for (None: the whole list), for a route's parameters.
Paging = Annotated[PageRequest | None, Depends(paging_parameters)]
#: The ``q`` name filter, for a route's parameters.
NameFilter = Annotated[str | None, Depends(name_filter)]
