"""The wording of pacts for verification: short and long descriptions of the reasons, and the
inclusion, pending and after-verification notices (the Ruby broker's
``VerifiablePactMessages``).

Pure tests of :mod:`broker.api.representations.notices`.
"""

from __future__ import annotations

import pytest

from pact_pipeline.broker.api.representations.notices import (
    PENDING_DOCS,
    after_verification_notices,
    inclusion_notice,
    long_reason,
    pending_notice,
    short_reason,
)
from pact_pipeline.broker.selection import Reason, Selector, VerifiablePact
from tests.broker.test_selection_rules import URL, pact

# --- short and long descriptions ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("selector", "short", "long"),
    [
        pytest.param(
            Selector(latest=True),
            "latest",
            "latest version of a consumer that has a pact with Bar (1)",
            id="overall-latest",
        ),
        pytest.param(
            Selector(latest=True, consumer="Foo"),
            "latest",
            "latest version of Foo that has a pact with Bar (1)",
            id="overall-latest-for-consumer",
        ),
        pytest.param(
            Selector(tag="prod", latest=True),
            "latest with tag prod",
            "latest version tagged 'prod' (1)",
            id="latest-tagged",
        ),
        pytest.param(
            Selector(tag="prod", latest=True, consumer="Foo"),
            "latest with tag prod",
            "latest version of Foo tagged 'prod' (1)",
            id="latest-tagged-for-consumer",
        ),
        pytest.param(
            Selector(main_branch=True, latest=True),
            "latest from main branch",
            "latest version from the main branch 'trunk' (1)",
            id="main-branch",
        ),
        pytest.param(
            Selector(branch="feat", latest=True),
            "latest from branch feat",
            "latest version from branch 'feat' (1)",
            id="branch",
        ),
        pytest.param(
            Selector(matching_branch=True, branch="feat", latest=True),
            "latest from branch feat",
            "latest version from branch 'feat' (1)",
            id="matching-branch",
        ),
        pytest.param(
            Selector(tag="prod"),
            "one of prod",
            "all consumer versions tagged 'prod' (1)",
            id="all-tagged",
        ),
        pytest.param(
            Selector(tag="prod", consumer="Foo"),
            "one of Foo prod",
            "all Foo versions tagged 'prod' (1)",
            id="all-tagged-for-consumer",
        ),
        pytest.param(
            Selector(deployed=True, environment="production"),
            "deployed to production",
            "consumer version(s) currently deployed to production (1)",
            id="deployed",
        ),
        pytest.param(
            Selector(released=True, environment="production", consumer="Foo"),
            "released in production",
            "version(s) of Foo released and supported in production (1)",
            id="released",
        ),
    ],
)
def test_descriptions(selector: Selector, short: str, long: str) -> None:
    reason = Reason(selector, "1", "Foo", main_branch="trunk")
    assert (short_reason(reason), long_reason(reason, "Bar")) == (short, long)


# --- notices --------------------------------------------------------------------------------------


def entry_with(*reasons: Reason, pending: bool = False) -> VerifiablePact:
    return VerifiablePact(pact(1), list(reasons), pending=pending)


def test_inclusion_notice_with_one_criterion() -> None:
    entry = entry_with(Reason(Selector(branch="main", latest=True), "abc", "Foo"))
    assert inclusion_notice(entry, URL, "Bar") == (
        f"The pact at {URL} is being verified because the pact content belongs to the consumer "
        "version matching the following criterion:\n"
        "    * latest version from branch 'main' (abc)"
    )


def test_inclusion_notice_groups_environments() -> None:
    entry = entry_with(
        Reason(Selector(deployed=True, environment="test"), "2", "Foo"),
        Reason(Selector(main_branch=True, latest=True), "2", "Foo", "main"),
        Reason(Selector(deployed=True, environment="prod"), "1", "Foo"),
        Reason(Selector(deployed=True, environment="stage"), "2", "Foo"),
    )
    assert inclusion_notice(entry, URL, "Bar") == (
        f"The pact at {URL} is being verified because the pact content belongs to the consumer "
        "versions matching the following criteria:\n"
        "    * consumer version(s) currently deployed to prod (1), stage (2) and test (2)\n"
        "    * latest version from the main branch 'main' (2)"
    )


@pytest.mark.parametrize(
    ("entry", "branch", "text"),
    [
        pytest.param(
            entry_with(pending=True),
            "main",
            "This pact is in pending state for this version of Bar because a successful "
            "verification result for a version of Bar from branch 'main' has not yet been "
            "published. If this verification fails, it will not cause the overall build to fail. "
            f"Read more at {PENDING_DOCS}",
            id="pending-for-branch",
        ),
        pytest.param(
            entry_with(pending=False),
            "main",
            "This pact has previously been successfully verified by a version of Bar from branch "
            "'main'. If this verification fails, it will fail the build. "
            f"Read more at {PENDING_DOCS}",
            id="not-pending-for-branch",
        ),
        pytest.param(
            entry_with(pending=True),
            None,
            "This pact is in pending state for this version of Bar because a successful "
            "verification result for Bar has not yet been published. If this verification fails, "
            f"it will not cause the overall build to fail. Read more at {PENDING_DOCS}",
            id="pending-without-branch-or-tags",
        ),
        pytest.param(
            VerifiablePact(pact(1), [], pending=True, pending_provider_tags=["a", "b"]),
            None,
            "This pact is in pending state for this version of Bar because a successful "
            "verification result for a versions of Bar with tag 'a' and 'b' has not yet been "
            "published. If this verification fails, it will not cause the overall build to fail. "
            f"Read more at {PENDING_DOCS}",
            id="pending-for-tags",
        ),
        pytest.param(
            VerifiablePact(pact(1), [], non_pending_provider_tags=["main"]),
            None,
            "This pact has previously been successfully verified by a version of Bar with tag "
            "'main'. If this verification fails, it will fail the build. "
            f"Read more at {PENDING_DOCS}",
            id="not-pending-for-tag",
        ),
        pytest.param(
            VerifiablePact(pact(1), [], pending=True, wip=True),
            "main",
            "This pact is in pending state for this version of Bar because it was included as a "
            "'work in progress' pact. If this verification fails, it will not cause the overall "
            f"build to fail. Read more at {PENDING_DOCS}",
            id="wip",
        ),
    ],
)
def test_pending_notice(entry: VerifiablePact, branch: str | None, text: str) -> None:
    assert pending_notice(entry, "Bar", branch) == text


@pytest.mark.parametrize(
    ("branch", "tags", "scope", "these"),
    [
        pytest.param("main", (), "any version of Bar from branch 'main'", "", id="branch"),
        pytest.param(None, (), "Bar", "", id="no-branch-no-tags"),
        pytest.param(None, ("a",), "any version of Bar with tag 'a'", "with this tag ", id="tag"),
        pytest.param(
            None,
            ("a", "b"),
            "any versions of Bar with tag 'a' and 'b'",
            "with these tags ",
            id="tags",
        ),
    ],
)
def test_after_verification_notices(
    branch: str | None, tags: tuple[str, ...], scope: str, these: str
) -> None:
    still = (
        f"This pact is still in pending state for {scope} as a successful verification result "
        f"{these}has not yet been published"
    )
    assert after_verification_notices("Bar", branch, tags) == {
        "after_verification:success_true_published_false": (
            f"This pact is still in pending state for {scope} as the successful verification "
            f"results {these}have not yet been published."
        ),
        "after_verification:success_false_published_false": still,
        "after_verification:success_true_published_true": (
            f"This pact is no longer in pending state for {scope}, as a successful verification "
            f"result {these}has been published. If a verification for a version of Bar "
            f"{these}fails in the future, it will fail the build. Read more at {PENDING_DOCS}"
        ),
        "after_verification:success_false_published_true": still,
    }
