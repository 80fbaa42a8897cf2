"""The consumer version selector ``{"branch": true}``: the latest pact of every branch (the
Pact Broker's ``latest_for_each_branch``)."""

from __future__ import annotations

from pact_pipeline.broker.testing import TestData, simple_pact
from tests.broker.broker_support import InProcessBroker


def test_branch_true_selects_the_head_of_every_branch(api: InProcessBroker) -> None:
    td = TestData(api.db).create_consumer("C").create_provider("P")
    for number, branch in (("1", "main"), ("2", "main"), ("3", "feat/a"), ("4", "feat/b")):
        td.create_consumer_version(number, branch=branch)
        td.create_pact(simple_pact("C", "P", f"request {number}"))

    response = api.client.post(
        "/pacts/provider/P/for-verification", json={"consumerVersionSelectors": [{"branch": True}]}
    )

    assert response.status_code == 200, response.text
    pacts = response.json()["_embedded"]["pacts"]
    # One pact per branch head: 2 (main), 3 (feat/a), 4 (feat/b); not 1, main's older version.
    assert len({p["_links"]["self"]["href"] for p in pacts}) == 3
    notices = " ".join(n["text"] for p in pacts for n in p["verificationProperties"]["notices"])
    assert "(2)" in notices and "(3)" in notices and "(4)" in notices and "(1)" not in notices
    assert {p["shortDescription"] for p in pacts} == {"latest from each branch"}


def test_branch_true_with_other_criteria_is_refused(api: InProcessBroker) -> None:
    for selector in ({"branch": True, "tag": "prod"}, {"branch": True, "latest": False}):
        response = api.client.post(
            "/pacts/provider/P/for-verification", json={"consumerVersionSelectors": [selector]}
        )
        assert response.status_code == 400, selector
        assert "branch=true" in response.text
