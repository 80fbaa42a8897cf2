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
    # The story's teams had repositories of their own, not the user's checkout.
    assert {p.name for p in (tmp_path / "story").iterdir()} >= {
        "frontend-website",
        "frontend-mobile",
        "product-service",
    }
