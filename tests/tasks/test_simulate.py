"""`invoke simulate` tells the whole workflow, every step ending as the story says."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.helpers import REPOSITORY, invoke_environment, run_invoke

pytestmark = pytest.mark.e2e


def test_the_story_runs_green_and_is_reported(tmp_path: Path) -> None:
    report = tmp_path / "story.md"
    result = run_invoke(
        REPOSITORY,
        "simulate",
        "--report",
        str(report),
        "--keep",
        str(tmp_path / "story"),
        environment=invoke_environment(COLUMNS="160"),
        timeout=300,
    )
    print(result.stdout[-8000:], result.stderr[-3000:])
    assert result.returncode == 0
    assert "NOT as expected" not in result.stdout
    text = report.read_text()
    steps = re.findall(r"^\| (\d+) \| ([^|]+) \| `([^`]+)` \| (\w+) \| (\w+) \|", text, re.M)
    assert len(steps) >= 15
    assert all(expected == happened for *_, expected, happened in steps)
    assert ("Web team", "invoke can-i-deploy", "fails") in {
        (team.strip(), command, happened) for _, team, command, _, happened in steps
    }
    # The webhook fired and the local CI verified: one build failed (the feature pact before
    # the provider had it), the others passed.
    builds = re.findall(r"^- #\d+ (passed|failed):", text, re.M)
    assert "failed" in builds
    assert builds.count("passed") >= 2
    assert 'Webhook "ProductService: verify changed pacts (pact-pipeline)" triggered' in text
    assert "recorded the undeployment of ProductService" in text
    assert "recorded the end of support for FrontendMobile" in text
    # Bi-directional: once the provider publishes its OpenAPI instead of running pacts, the
    # website's new pact (which no provider build ran) deploys on the strength of the
    # comparison, and the provider's breaking change is blocked, naming the field.
    said = re.findall(r"^## \d+\. ([^:]+): `([^`]+)`\n\n```text\n(.*?)```", text, re.M | re.S)
    provider_went_bdct = next(
        i for i, (_, _, lines) in enumerate(said) if "Published provider contract" in lines
    )
    web_after = [lines for team, _, lines in said[provider_went_bdct:] if team == "Web team"]
    assert web_after, "the website built after the provider went bi-directional"
    assert re.search(r"│ oas +│ fits ProductService \w+'s OpenAPI", web_after[0])
    assert "yes: FrontendWebsite" in web_after[0]
    assert builds[-1] == "passed", "the webhook's build ran no pact: nothing to fail"
    team, command, blocked = said[-1]
    assert (team, command) == ("Provider team", "invoke ci")
    assert "no: ProductService" in blocked
    assert "must NOT have additional properties - price" in blocked
    _, last_team, last_command, _, happened = steps[-1]
    assert (last_team.strip(), last_command, happened) == ("Provider team", "invoke ci", "fails")
    # The story's teams had repositories of their own, not the user's checkout.
    assert {p.name for p in (tmp_path / "story").iterdir()} >= {
        "frontend-website",
        "frontend-mobile",
        "product-service",
    }
