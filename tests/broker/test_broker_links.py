"""Every link the broker advertises resolves.

The broker is seeded through its API (two integrations, branches, tags, an environment with
deployments and a release, verifications, a label, a webhook and a secret); then every link of
every resource reachable from the index is followed breadth-first, with ``{templated}`` hrefs
expanded from the seeded names, and the ``pb:``/``beta:`` curies expanded to their ``/doc``
pages. No answer may be a 404 or a 5xx, and every JSON body must be valid HAL.

Skipped: the relations in ``broker_walk.NOT_GETTABLE`` (``pb:publish-contracts``,
``pb:publish-verification-results``, ``pb:record-deployment``, ``pb:record-release``,
``pb:execute``): they name actions taken with POST, and a GET of them answers 405 by design.
``pb:metrics`` (``OWNED_ELSEWHERE``) is served by the metrics work; while it is missing, its
404 is reported in the walk's ``pending`` list rather than failed.
"""

from __future__ import annotations

from tests.broker.broker_support import InProcessBroker
from tests.broker.broker_walk import NOT_GETTABLE, hal_problems, relations, seed, walk

BASE = "http://broker.test"


def test_every_link_reachable_from_the_index_resolves(api: InProcessBroker) -> None:
    seeded = seed(api.client)
    result = walk(api.client, seeded, BASE)
    assert result.failures == []
    # The walk reached the new resources, not only the index.
    visited = set(result.visited)
    for path in (
        "/pacts/provider/Bar/consumer/Foo/tag/prod",
        "/pacts/provider/Bar/consumer/Foo/branch/main",
        "/pacts/provider/Bar/consumer/Foo/branch/main/latest/versions",
        "/pacts/provider/Bar/consumer/Foo/branch/versions",
        "/pacts/provider/Bar/consumer/Foo/branch/latest/versions",
        "/pacts/provider/Bar/consumer/Foo/versions",
        "/doc/latest-pact-versions?context=index",
    ):
        assert path in visited, path
    assert len(visited) > 100
    assert result.skipped <= set(NOT_GETTABLE)


def test_the_hal_check_finds_malformed_links() -> None:
    assert hal_problems({"_links": []}) == ["_links is not an object"]
    assert hal_problems({"_links": {"self": {"title": "no href"}}}) == [
        "self is not a link or a list of links"
    ]
    nested = {"_embedded": {"x": [{"_links": {"a": [{"href": "/"}, "b"]}}]}}
    assert hal_problems(nested) == ["a is not a link or a list of links"]
    assert [rel for rel, _, _ in relations(nested)] == ["a"]
