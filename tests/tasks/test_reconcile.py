"""`invoke reconcile` turns can-i-deploy's "unknown" into a "yes" with no webhook at all."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.helpers import Project, whole_project

pytestmark = pytest.mark.e2e


@pytest.fixture
def project(tmp_path: Path) -> Iterator[Project]:
    with whole_project(tmp_path) as copy:
        yield copy


def test_reconcile_runs_the_verification_can_i_deploy_waits_for(project: Project) -> None:
    deployed = project.version()
    assert project.invoke("ci").returncode == 0
    project.change_the_pact()
    assert project.invoke("publish").returncode == 0
    assert httpx.get(f"{project.url}/webhooks").json()["_links"]["pb:webhooks"] == []

    unknown = project.invoke("can-i-deploy", "--pacticipant", "FrontendWebsite")
    assert unknown.returncode == 1
    assert "unknown" in unknown.stdout
    assert "no webhook builds ProductService" in unknown.stdout
    assert "`invoke reconcile`" in unknown.stdout

    reconciled = project.invoke("reconcile", "--env", "prod")
    assert reconciled.returncode == 0
    assert f"ProductService {deployed}" in reconciled.stdout
    assert "verified and published" in reconciled.stdout

    yes = project.invoke("can-i-deploy", "--pacticipant", "FrontendWebsite")
    assert yes.returncode == 0
    assert f"yes: FrontendWebsite {project.version()} can be deployed to prod" in yes.stdout
    again = project.invoke("reconcile", "--env", "prod")
    assert "nothing: every pact is verified" in again.stdout
