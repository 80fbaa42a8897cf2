"""The paging part of a paged list, as the Pact Broker's ``PaginationLinks``: the ``page``
object and the ``next``/``previous`` links (the other query parameters kept)."""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlencode

from pact_pipeline.broker.api.representations.hal import JSONDict, link
from pact_pipeline.broker.paging import PageInfo

_PAGING_NAMES = frozenset({"page", "size", "pageNumber", "pageSize"})


def with_page(
    body: JSONDict,
    info: PageInfo | None,
    resource_url: str,
    query: Iterable[tuple[str, str]] = (),
) -> JSONDict:
    """``body`` with its page described; unchanged when the list was not paged."""
    if info is None:
        return body
    body["page"] = {
        "number": info.number,
        "size": info.size,
        "totalElements": info.total_elements,
        "totalPages": info.total_pages,
    }
    kept = [(k, v) for k, v in query if k not in _PAGING_NAMES]
    relations = body.setdefault("_links", {})
    if info.number < info.total_pages:
        relations["next"] = link(
            _page_url(resource_url, kept, info, info.number + 1), title="Next page"
        )
    if info.number > 1:
        relations["previous"] = link(
            _page_url(resource_url, kept, info, info.number - 1), title="Previous page"
        )
    return body


def _page_url(resource_url: str, kept: list[tuple[str, str]], info: PageInfo, number: int) -> str:
    params = [*kept, ("size", str(info.size)), ("page", str(number))]
    return f"{resource_url.split('?', 1)[0]}?{urlencode(params)}"
