"""The webhook loop end to end: a pact changes, the broker's webhook calls `invoke ci-server`,
which verifies exactly that pact as the provider version that needs it and publishes the result.

Real everything: the embedded broker, the official Rust CLI creating the webhook, the local CI
as an `invoke ci-server` subprocess, `invoke ci-webhook` builds run by it, the real verifier.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from pact_pipeline.serving import free_port
from tests.broker.broker_support import run_pact
from tests.helpers import Project, whole_project

pytestmark = pytest.mark.e2e

TOKEN = "a-token-only-this-test-knows"
PAYLOAD = {
    "event_type": "contract_requiring_verification_published",
    "client_payload": {
        "pact_url": "${pactbroker.pactUrl}",
        "sha": "${pactbroker.providerVersionNumber}",
        "branch": "${pactbroker.providerVersionBranch}",
    },
}


@pytest.fixture
def project(tmp_path: Path) -> Iterator[Project]:
    with whole_project(tmp_path) as copy:
        copy.environment.update(
            PACT_PIPELINE_CI_SERVER_PORT=str(free_port()), PACT_PIPELINE_CI_SERVER_TOKEN=TOKEN
        )
        yield copy


@contextmanager
def ci_server(project: Project) -> Iterator[str]:
    """`invoke ci-server` in the project, until the block ends (then Ctrl-C)."""
    port = project.environment["PACT_PIPELINE_CI_SERVER_PORT"]
    url = f"http://127.0.0.1:{port}"
    process = subprocess.Popen(
        [sys.executable, "-m", "invoke", "ci-server"],
        cwd=project.root,
        env=project.environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        wait_until(lambda: _answers(url + "/builds"), timeout=60, what="the local CI to listen")
        yield url
    finally:
        process.send_signal(signal.SIGINT)
        output, _ = process.communicate(timeout=60)
        print(output)  # shown when a test fails


def _answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def wait_until(condition: Callable[[], bool], *, timeout: float, what: str) -> float:
    started = time.monotonic()
    while not condition():
        if time.monotonic() - started > timeout:
            pytest.fail(f"timed out after {timeout}s waiting for {what}")
        time.sleep(0.1)
    return time.monotonic() - started


def builds(ci_url: str) -> list[dict[str, Any]]:
    answer: list[dict[str, Any]] = httpx.get(ci_url + "/builds", timeout=5).json()["builds"]
    return answer


def test_a_changed_pact_is_verified_by_the_webhook_build_exactly_once(project: Project) -> None:
    deployed = project.version()
    assert project.invoke("ci").returncode == 0  # both on main, deployed to prod
    ci_port = project.environment["PACT_PIPELINE_CI_SERVER_PORT"]
    with ci_server(project) as ci_url:
        secret = httpx.post(
            f"{project.url}/secrets",
            json={"name": "ciToken", "description": "the local CI's token", "value": TOKEN},
        )
        assert secret.status_code == 201, secret.text
        run_pact(
            "broker", "create-or-update-webhook", f"http://127.0.0.1:{ci_port}/dispatches",
            "--broker-base-url", project.url,
            "--uuid", "pact-changed-webhook-for-this-test",
            "--request", "POST",
            "--header", "Content-Type: application/json", "Authorization: Bearer ${user.ciToken}",
            "--data", json.dumps(PAYLOAD),
            "--provider", "ProductService",
            "--contract-requiring-verification-published",
        )  # fmt: skip
        consumer_version = project.change_the_pact()

        published = project.invoke("publish")
        assert published.returncode == 0
        fired_within = wait_until(lambda: len(builds(ci_url)) == 1, timeout=5, what="a build")
        wait_until(
            lambda: builds(ci_url)[0]["status"] in ("passed", "failed"),
            timeout=120,
            what="the build to finish",
        )
        build = builds(ci_url)[0]
        log = httpx.get(f"{ci_url}/builds/1/log", timeout=5).text
        assert build["status"] == "passed", log
        assert build["providerVersion"] == deployed
        assert "/consumer/FrontendWebsite/" in build["pactUrl"]

        # The pact's latest verification is that build's result.
        pact = httpx.get(
            f"{project.url}/pacts/provider/ProductService/consumer/FrontendWebsite/version/"
            f"{consumer_version}",
            headers={"Accept": "application/hal+json"},
        ).json()
        latest = httpx.get(pact["_links"]["pb:latest-verification-results"]["href"]).json()
        assert latest["success"] is True
        assert latest["providerApplicationVersion"] == deployed

        # The same delivery again does not start a second build.
        again = httpx.post(
            f"{ci_url}/dispatches",
            json={"client_payload": {"pact_url": build["pactUrl"], "sha": deployed}},
            headers={"Authorization": f"Bearer {TOKEN}"},
        )
        assert again.status_code == 200
        assert again.json()["queued"] is False
        assert len(builds(ci_url)) == 1
        print(f"the webhook's build was queued {fired_within:.2f}s after publish returned")


def test_the_local_ci_wants_its_token_in_a_header(project: Project) -> None:
    with ci_server(project) as ci_url:
        body = {"client_payload": {"pact_url": "http://127.0.0.1:1/pacts/x", "sha": "abc"}}
        without = httpx.post(f"{ci_url}/dispatches", json=body)
        wrong = httpx.post(f"{ci_url}/dispatches", json=body, headers={"Authorization": "Bearer x"})
        in_url = httpx.post(f"{ci_url}/dispatches?token={TOKEN}", json=body)
        bad_body = httpx.post(
            f"{ci_url}/dispatches",
            json={"pact_url": 1},
            headers={"Authorization": f"Bearer {TOKEN}"},
        )
        assert (without.status_code, wrong.status_code, in_url.status_code) == (401, 401, 401)
        assert bad_body.status_code == 400
        assert "client_payload" in bad_body.json()["error"]
        assert builds(ci_url) == []


def test_the_webhook_tasks_set_it_up_once_and_test_it(project: Project) -> None:
    assert project.invoke("ci").returncode == 0
    with ci_server(project) as ci_url:
        first = project.invoke("create-or-update-pact-changed-webhook")
        second = project.invoke("create-or-update-pact-changed-webhook")
        assert first.returncode == second.returncode == 0
        assert "created webhook" in first.stdout
        assert "updated webhook" in second.stdout
        listing = httpx.get(f"{project.url}/webhooks").json()
        assert len(listing["_links"]["pb:webhooks"]) == 1
        assert TOKEN not in json.dumps(
            httpx.get(listing["_links"]["pb:webhooks"][0]["href"]).json()
        )

        tested = project.invoke("test-pact-changed-webhook")
        assert tested.returncode == 0, tested.stdout
        wait_until(lambda: len(builds(ci_url)) == 1, timeout=10, what="the test build")
        assert (
            "/pacts/provider/ProductService/consumer/FrontendWebsite/"
            in builds(ci_url)[0]["pactUrl"]
        )
