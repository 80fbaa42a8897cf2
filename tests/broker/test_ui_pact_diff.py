"""The "pact diff" view model: interactions paired, and what changed in words."""

from __future__ import annotations

import copy
import operator
from collections.abc import Iterator
from functools import reduce
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pact_pipeline.broker.content import with_interaction_ids
from pact_pipeline.broker.ui.pact_diff import MAX_CHANGES, PactDiff, pact_diff
from pact_pipeline.broker.ui.pact_view import pact_view
from tests.broker.test_ui_pact_view import (
    JUNK_DOCUMENTS,
    V2_PACT,
    V3_MESSAGE_PACT,
    assert_well_typed,
    deeply_nested,
    write_v4_pact,
)


@pytest.fixture(scope="module")
def v4_pact(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return write_v4_pact(tmp_path_factory.mktemp("v4"))


def by_description(document: dict[str, Any], description: str) -> dict[str, Any]:
    found: dict[str, Any] = next(
        i for i in document["interactions"] if i.get("description") == description
    )
    return found


def changes_of(diff: PactDiff, description: str) -> list[str]:
    return next(c.changes for c in diff.changes if c.description == description)


def http_pact(*interactions: dict[str, Any]) -> dict[str, Any]:
    return {
        "consumer": {"name": "C"},
        "provider": {"name": "P"},
        "interactions": list(interactions),
        "metadata": {"pactSpecification": {"version": "4.0"}},
    }


def http(description: str, status: int = 200, **response: Any) -> dict[str, Any]:
    return {
        "type": "Synchronous/HTTP",
        "description": description,
        "providerStates": [{"name": "s"}],
        "request": {"method": "GET", "path": f"/{description}"},
        "response": {"status": status, **response},
    }


def test_identical_pacts_are_identical(v4_pact: dict[str, Any]) -> None:
    diff = pact_diff(v4_pact, copy.deepcopy(v4_pact))
    assert diff.identical
    assert diff.counts == {"removed": 0, "added": 0, "changed": 0, "unchanged": 3}
    assert all(change.changes == [] for change in diff.changes)
    assert pact_diff(V2_PACT, V2_PACT).identical
    assert pact_diff(V3_MESSAGE_PACT, V3_MESSAGE_PACT).identical


def test_status_change_and_body_field_added(v4_pact: dict[str, Any]) -> None:
    after = copy.deepcopy(v4_pact)
    response = by_description(after, "get order")["response"]
    response["status"] = 404
    response["body"]["content"]["price"] = 12.5
    diff = pact_diff(v4_pact, after)
    assert not diff.identical
    assert diff.counts == {"removed": 0, "added": 0, "changed": 1, "unchanged": 2}
    [changed] = [c for c in diff.changes if c.status == "changed"]
    assert (changed.key, changed.description) == ("order-10", "get order")
    assert changed.before is not None and changed.after is not None
    assert changed.before.parts[1].summary == "200"
    assert changed.after.parts[1].summary == "404"
    assert changed.changes == ["response.status: 200 → 404", "response.body.$.price: added 12.5"]
    assert diff.changes[0] is changed  # changed before unchanged


def test_header_query_rules_and_state_changes(v4_pact: dict[str, Any]) -> None:
    after = copy.deepcopy(v4_pact)
    order = by_description(after, "get order")
    del order["request"]["headers"]["Accept"]
    order["request"]["query"]["expand"] = ["items", "customer"]
    order["providerStates"][0]["params"]["id"] = 11
    order["response"]["matchingRules"]["body"]["$.id"]["matchers"] = [{"match": "type"}]
    order["response"]["body"]["content"]["tags"].append("b")
    assert changes_of(pact_diff(v4_pact, after), "get order") == [
        "providerStates[0].params.id: 10 → 11",
        'request.query.expand: "items" → "items, customer"',
        "request.headers.Accept: removed",
        'response.body.$.tags[1]: added "b"',
        'response.matchingRules.$.body.id: "integer" → "type"',
    ]


def test_message_changes(v4_pact: dict[str, Any]) -> None:
    after = copy.deepcopy(v4_pact)
    event = by_description(after, "order created")
    event["metadata"]["topic"] = "orders.v2"
    event["contents"]["content"]["orderId"] = "1"
    quote = by_description(after, "price quote")
    quote["response"][0]["contents"]["content"]["price"] = 10
    quote["response"].append({"contents": {"content": {"price": 11}}})
    diff = pact_diff(v4_pact, after)
    assert changes_of(diff, "order created") == [
        'metadata.topic: "orders" → "orders.v2"',
        'contents.$.orderId: 1 → "1"',
    ]
    assert changes_of(diff, "price quote") == [
        "response[0].contents.$.price: 9.99 → 10",
        'response[1]: added {"metadata": {}, "contents": {"price": 11}, "matchingRules"…',
    ]


def test_added_and_removed_interactions_come_first() -> None:
    before = http_pact(http("kept"), http("changed"), http("dropped"))
    after = http_pact(http("new"), http("changed", 500), http("kept"))
    diff = pact_diff(before, after)
    assert [(c.status, c.description) for c in diff.changes] == [
        ("removed", "dropped"),
        ("added", "new"),
        ("changed", "changed"),
        ("unchanged", "kept"),
    ]
    removed, added, _, _ = diff.changes
    assert (removed.before is not None, removed.after) == (True, None)
    assert (added.before, added.after is not None) == (None, True)
    assert removed.key == "dropped (given s)"
    assert diff.counts == {"removed": 1, "added": 1, "changed": 1, "unchanged": 1}


def test_identity_is_description_and_states_then_v4_key() -> None:
    given_other = {**http("a"), "providerStates": [{"name": "t"}]}
    diff = pact_diff(http_pact(http("a")), http_pact(given_other))
    assert [c.status for c in diff.changes] == ["removed", "added"]

    renamed = {**http("b"), "key": "k1"}
    diff = pact_diff(http_pact({**http("a"), "key": "k1"}), http_pact(renamed))
    [change] = diff.changes
    assert (change.status, change.key) == ("changed", "k1")
    assert change.changes == ['description: "a" → "b"', 'request.path: "/a" → "/b"']

    # pact-reference's keys hash the content: a new key falls back to description and states
    diff = pact_diff(
        http_pact({**http("a"), "key": "k1"}), http_pact({**http("a", 201), "key": "k2"})
    )
    assert [(c.status, c.changes) for c in diff.changes] == [
        ("changed", ["response.status: 200 → 201"])
    ]


def test_duplicate_identities_pair_in_order() -> None:
    diff = pact_diff(
        http_pact(http("a", 200), http("a", 201)), http_pact(http("a", 200), http("a", 202))
    )
    assert [(c.status, c.changes) for c in diff.changes] == [
        ("changed", ["response.status: 201 → 202"]),
        ("unchanged", []),
    ]


def test_broker_ids_and_key_less_metadata_are_ignored(v4_pact: dict[str, Any]) -> None:
    assert pact_diff(v4_pact, with_interaction_ids(copy.deepcopy(v4_pact))).identical
    after = copy.deepcopy(v4_pact)
    after["metadata"]["pactRust"] = {"ffi": "9.9.9"}
    by_description(after, "get order")["interactionMarkup"] = {"markup": "x"}
    assert pact_diff(v4_pact, after).identical


def test_v3_and_v4_renderings_of_the_same_interaction_are_identical() -> None:
    v3 = {
        "metadata": {"pactSpecification": {"version": "3.0.0"}},
        "interactions": [
            {
                "description": "get",
                "providerStates": [{"name": "s"}],
                "request": {"method": "GET", "path": "/x", "headers": {"Accept": "a/b"}},
                "response": {"status": 200, "body": {"id": 1}},
            }
        ],
    }
    v4 = http_pact(
        {
            "type": "Synchronous/HTTP",
            "description": "get",
            "providerStates": [{"name": "s"}],
            "request": {"method": "GET", "path": "/x", "headers": {"Accept": ["a/b"]}},
            "response": {
                "status": 200,
                "body": {"content": {"id": 1}, "contentType": "application/json", "encoded": False},
            },
        }
    )
    assert pact_diff(v3, v4).identical


def test_v2_pact_changes() -> None:
    after = copy.deepcopy(V2_PACT)
    products = after["interactions"][0]
    products["response"]["body"][0]["name"] = "Gem Visa Platinum"
    products["response"]["matchingRules"]["$.body"] = {"min": 2}
    del after["interactions"][1]
    diff = pact_diff(V2_PACT, after)
    assert [(c.status, c.description) for c in diff.changes] == [
        ("removed", "get product with ID 11"),
        ("changed", "get all products"),
    ]
    assert diff.changes[1].changes == [
        'response.body.$[0].name: "Gem Visa" → "Gem Visa Platinum"',
        'response.matchingRules.$.body: "min 1 (type)" → "min 2 (type)"',
    ]


def test_long_values_are_shortened_and_long_lists_capped() -> None:
    before = http_pact(http("a", body={"note": "short"}))
    after = http_pact(http("a", body={"note": "x" * 500, "odd key": True}))
    lines = pact_diff(before, after).changes[0].changes
    assert lines[0] == 'response.body.$.note: "short" → "' + "x" * 58 + "…"
    assert lines[1] == "response.body.$['odd key']: added true"

    many_before = http_pact(http("a", body=list(range(1000))))
    many_after = http_pact(http("a", body=[str(n) for n in range(1000)]))
    lines = pact_diff(many_before, many_after).changes[0].changes
    assert len(lines) == MAX_CHANGES + 1
    assert lines[0] == 'response.body.$[0]: 0 → "0"'
    assert lines[-1] == f"… and {1000 - MAX_CHANGES} more changes"


def test_json_true_is_not_one() -> None:
    lines = pact_diff(http_pact(http("a", body=[1])), http_pact(http("a", body=[True])))
    assert lines.changes[0].changes == ["response.body.$[0]: 1 → true"]


@pytest.mark.parametrize("junk", JUNK_DOCUMENTS)
def test_junk_never_raises(junk: Any, v4_pact: dict[str, Any]) -> None:
    for before, after in ((junk, junk), (junk, v4_pact), (v4_pact, junk), (junk, V2_PACT)):
        diff = pact_diff(before, after)
        assert sum(diff.counts.values()) == len(diff.changes)
        assert all(isinstance(line, str) for c in diff.changes for line in c.changes)


JUNK_VALUES: list[Any] = [None, "", "x", 0, -1.5, True, [], {}, [[{}]], {"a": {"b": [None]}}]


def substitutions(document: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """The path of every value inside ``document``, the document itself first."""
    yield path
    if isinstance(document, dict):
        for key, value in document.items():
            yield from substitutions(value, (*path, key))
    elif isinstance(document, list):
        for index, value in enumerate(document):
            yield from substitutions(value, (*path, index))


def replaced(document: Any, path: tuple[Any, ...], value: Any) -> Any:
    if not path:
        return value
    copied = copy.deepcopy(document)
    reduce(operator.getitem, path[:-1], copied)[path[-1]] = value
    return copied


def mutants(document: Any) -> Iterator[Any]:
    """``document`` with each of its values, in turn, replaced by each junk value."""
    for path in substitutions(document):
        for junk in JUNK_VALUES:
            yield replaced(document, path, junk)


def test_every_part_of_real_pacts_may_be_junk(v4_pact: dict[str, Any]) -> None:
    """Viewed and diffed against the original, both ways (fuzzing the view too)."""
    for document in (v4_pact, V2_PACT, V3_MESSAGE_PACT):
        for mutant in mutants(document):
            assert_well_typed(pact_view(mutant))
            pact_diff(document, mutant)
            pact_diff(mutant, document)


def test_deeply_nested_values_never_raise() -> None:
    before = http_pact(http("a", body=deeply_nested(5000)))
    after = http_pact(http("a", body=deeply_nested(5001)))
    [change] = pact_diff(before, after).changes
    assert change.status == "changed"
    assert len(change.changes) == 1
    assert pact_diff(before, before).identical


PACT_WORDS = [
    "consumer", "provider", "name", "interactions", "messages", "metadata", "metaData",
    "pactSpecification", "version", "type", "description", "key", "pending", "comments",
    "text", "providerState", "providerStates", "params", "request", "response", "method",
    "path", "query", "headers", "header", "status", "body", "contents", "content",
    "contentType", "encoded", "matchingRules", "generators", "combine", "matchers", "match",
    "regex", "min", "max", "rules", "value", "format", "expression", "$", "$.a",
    "Synchronous/HTTP", "Asynchronous/Messages", "Synchronous/Messages", "base64", "json",
]  # fmt: skip

json_like = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text(max_size=8)
    | st.sampled_from(PACT_WORDS),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.sampled_from(PACT_WORDS) | st.text(max_size=4), children, max_size=6)
    ),
    max_leaves=40,
)


interaction_like = st.dictionaries(st.sampled_from(PACT_WORDS), json_like, max_size=8)
pact_like = st.fixed_dictionaries(
    {},
    optional={
        "interactions": st.lists(interaction_like, max_size=3),
        "messages": st.lists(interaction_like, max_size=2),
        "metadata": json_like,
    },
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(json_like | pact_like)
def test_fuzzed_pact_shaped_documents_never_raise(document: Any) -> None:
    """Viewed, and diffed against itself and against a real pact (fuzzing the view too)."""
    assert_well_typed(pact_view(document))
    assert pact_diff(document, copy.deepcopy(document)).identical
    pact_diff(document, V2_PACT)
    pact_diff(V3_MESSAGE_PACT, document)
