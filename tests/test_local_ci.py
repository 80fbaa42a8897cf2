"""The local CI's parts: the webhook body, the token, where a build runs, the queue, the HTTP
side (a real uvicorn server)."""

from __future__ import annotations

import re
import stat
import threading
from pathlib import Path

import httpx
import pytest

from pact_pipeline.local_ci.builds import (
    Build,
    BuildQueue,
    BuildRequest,
    DispatchError,
    checkout,
    parse_dispatch,
)
from pact_pipeline.local_ci.server import create_ci_app
from pact_pipeline.local_ci.token import bearer_matches, ci_token
from pact_pipeline.serving import serve_app
from pact_pipeline.settings import Settings
from tests.helpers import git

PACT_URL = "http://127.0.0.1:9292/pacts/provider/P/consumer/C/pact-version/abc"


def dispatch(**payload: object) -> dict[str, object]:
    return {"event_type": "contract_requiring_verification_published", "client_payload": payload}


def test_a_repository_dispatch_body_names_the_pact_and_the_provider_version() -> None:
    request = parse_dispatch(dispatch(pact_url=PACT_URL, sha="1a2b", branch="main", message="m"))

    assert request == BuildRequest(PACT_URL, "1a2b", "main", "m")
    assert parse_dispatch(dispatch(pact_url=PACT_URL, sha="", branch="")).provider_version is None


@pytest.mark.parametrize(
    ("body", "complaint"),
    [
        ([], "JSON object"),
        ({"pact_url": PACT_URL}, "client_payload"),
        (dispatch(), "pact_url must be an http(s) URL"),
        (dispatch(pact_url="file:///etc/passwd"), "pact_url must be an http(s) URL"),
        (dispatch(pact_url=PACT_URL, sha=12), "client_payload.sha must be a string"),
    ],
)
def test_a_body_the_ci_cannot_build_from_is_refused_by_name(body: object, complaint: str) -> None:
    with pytest.raises(DispatchError, match=re.escape(complaint)):
        parse_dispatch(body)


def test_the_token_is_generated_once_private_and_reused(tmp_path: Path) -> None:
    settings = Settings(root=tmp_path)

    first = ci_token(settings)

    token_file = tmp_path / ".pact-ci" / "token"
    assert stat.S_IMODE(token_file.stat().st_mode) == 0o600
    assert ci_token(settings) == first
    assert len(first) >= 32
    assert ci_token(Settings(root=tmp_path, ci_server_token="given")) == "given"


def test_only_the_bearer_token_itself_matches() -> None:
    assert bearer_matches("Bearer s3cret", "s3cret")
    assert bearer_matches("bearer s3cret", "s3cret")
    for header in (None, "", "Bearer", "Bearer wrong", "Basic s3cret", "s3cret"):
        assert not bearer_matches(header, "s3cret")


def test_a_build_runs_in_the_checkout_at_head_and_in_a_worktree_otherwise(git_repo: Path) -> None:
    old = git(git_repo, "rev-parse", "--short", "HEAD")
    (git_repo / "README").write_text("changed\n")
    git(git_repo, "commit", "--quiet", "-am", "second")
    head = git(git_repo, "rev-parse", "--short", "HEAD")

    with checkout(git_repo, head) as (where, _):
        assert where == git_repo
    with checkout(git_repo, None) as (where, _):
        assert where == git_repo
    with checkout(git_repo, f"{old}+1700000000") as (where, said):
        assert where != git_repo
        assert (where / "README").read_text() == "hello\n"
        assert "worktree" in said
    assert not where.exists()
    assert "worktree" not in git(git_repo, "worktree", "list").split("\n", 1)[-1]
    assert (git_repo / "README").read_text() == "changed\n"  # the checkout is untouched


def test_a_version_that_is_no_commit_here_is_not_built(git_repo: Path) -> None:
    with pytest.raises(LookupError, match="not a commit"), checkout(git_repo, "1.0.0"):
        pass


class Recorder:
    """A build runner that records what it ran and can hold a build until released."""

    def __init__(self) -> None:
        self.ran: list[BuildRequest] = []
        self.gate = threading.Event()

    def __call__(self, request: BuildRequest, log_path: Path) -> int:
        self.gate.wait(10)
        self.ran.append(request)
        log_path.write_text(f"built {request.pact_url}\n")
        return 0 if request.provider_version != "bad" else 3


def test_each_distinct_request_is_built_once_in_order(tmp_path: Path) -> None:
    events: list[tuple[int, str]] = []
    recorder = Recorder()
    queue = BuildQueue(recorder, tmp_path, lambda b: events.append((b.number, b.status)))
    queue.start()
    try:
        first, queued = queue.submit(BuildRequest(PACT_URL, "good"))
        again, queued_again = queue.submit(BuildRequest(PACT_URL, "good", message="again"))
        bad, _ = queue.submit(BuildRequest(PACT_URL, "bad"))
        assert (queued, queued_again) == (True, False)
        assert again is first
        recorder.gate.set()
        assert queue.wait_idle(10)
    finally:
        queue.stop()

    assert [r.provider_version for r in recorder.ran] == ["good", "bad"]
    assert [(b.number, b.status, b.exit_code) for b in queue.builds()] == [
        (1, "passed", 0),
        (2, "failed", 3),
    ]
    assert events == [(1, "running"), (1, "passed"), (2, "running"), (2, "failed")]
    assert bad.log_path.read_text() == f"built {PACT_URL}\n"


def test_the_http_side_checks_the_token_and_lists_the_builds(tmp_path: Path) -> None:
    recorder = Recorder()
    recorder.gate.set()
    builds: list[Build] = []
    queue = BuildQueue(recorder, tmp_path, builds.append)
    queue.start()
    token = {"Authorization": "Bearer t0ken"}
    body = dispatch(pact_url=PACT_URL, sha="1a2b", branch="main")
    try:
        with serve_app(create_ci_app(queue, "t0ken")) as url, httpx.Client(base_url=url) as http:
            assert http.post("/dispatches", json=body).status_code == 401
            assert http.post("/dispatches?token=t0ken", json=body).status_code == 401
            refused = http.post("/dispatches", content=b"{", headers=token)
            assert (refused.status_code, refused.json()) == (400, {"error": "invalid JSON"})
            huge = http.post("/dispatches", content=b"x" * 70_000, headers=token)
            assert huge.status_code == 413

            created = http.post("/dispatches", json=body, headers=token)
            repeated = http.post("/dispatches", json=body, headers=token)
            assert (created.status_code, created.json()["queued"]) == (202, True)
            assert (repeated.status_code, repeated.json()["queued"]) == (200, False)
            assert queue.wait_idle(10)

            listed = http.get("/builds").json()["builds"]
            assert [(b["number"], b["status"], b["providerVersion"]) for b in listed] == [
                (1, "passed", "1a2b")
            ]
            assert http.get("/builds/1").json()["pactUrl"] == PACT_URL
            assert http.get("/builds/1/log").text == f"built {PACT_URL}\n"
            assert http.get("/builds/2").status_code == 404
    finally:
        queue.stop()
