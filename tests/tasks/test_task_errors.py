"""Expected failures, run through `invoke` as a user would: one clear line, exit code 1.

Each test copies tasks.py and pipeline/ into a fresh git repository and runs
`python -m invoke ...` there, so these also check that errors never surface as
tracebacks.
"""

from __future__ import annotations

import json
import subprocess
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from pact_pipeline import embedded
from pact_pipeline.serving import free_port
from pact_pipeline.settings import Settings
from tests.helpers import (
    PIPELINE_FILES,
    REPOSITORY,
    copy_repository,
    invoke_environment,
    run_invoke,
)


@pytest.fixture
def repo(tmp_path: Path) -> Iterator[Path]:
    root = copy_repository(tmp_path / "repo")
    yield root
    # Should a test ever start a background broker in the copy, do not leave it running.
    embedded.stop(Settings(root=root, broker_dir=root / ".pact-broker"))


@pytest.fixture
def environment() -> dict[str, str]:
    # A port nobody listens on, so a test can never reuse a developer's running broker.
    return invoke_environment(
        PACT_PIPELINE_BROKER_PORT=str(free_port()),
        PACT_PIPELINE_BROKER_RETRIES="0",
        PACT_PIPELINE_BROKER_START_TIMEOUT="20",
    )


class RejectEveryone(BaseHTTPRequestHandler):
    """A broker that answers 401 to everything, like one with auth enabled."""

    def do_GET(self) -> None:
        body = json.dumps({"error": "Unauthorized"}).encode()
        self.send_response(401)
        self.send_header("Content-Type", "application/hal+json")
        self.send_header("WWW-Authenticate", 'Basic realm="Pact Broker"')
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        """Keep the test output quiet."""


@pytest.fixture
def rejecting_broker() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), RejectEveryone)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


class OssBroker(BaseHTTPRequestHandler):
    """An OSS Pact Broker's index: no PactFlow relations, so no provider contracts."""

    def do_GET(self) -> None:
        links = {"pb:publish-contracts": {"href": "http://broker/contracts/publish"}}
        body = json.dumps({"_links": links}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/hal+json")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        """Keep the test output quiet."""


@pytest.fixture
def oss_broker() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), OssBroker)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def assert_one_line_error(stderr: str, expected: str) -> None:
    assert "Traceback" not in stderr
    assert stderr.strip().splitlines() == [expected]


def test_unreachable_broker(repo: Path, environment: dict[str, str]) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    environment["PACT_BROKER_BASE_URL"] = url

    result = run_invoke(repo, "can-i-deploy", "--env", "prod", environment=environment)

    assert result.returncode == 1
    assert_one_line_error(
        result.stderr, f"error: cannot reach the Pact Broker at {url}: connection refused"
    )


def test_wrong_credentials(repo: Path, environment: dict[str, str], rejecting_broker: str) -> None:
    environment.update(PACT_BROKER_BASE_URL=rejecting_broker, PACT_BROKER_TOKEN="wrong")

    result = run_invoke(repo, "can-i-deploy", environment=environment)

    assert result.returncode == 1
    assert_one_line_error(
        result.stderr,
        f"error: the Pact Broker at {rejecting_broker} rejected the credentials (401): "
        "set PACT_BROKER_TOKEN or PACT_BROKER_USERNAME/PASSWORD",
    )


def test_unknown_environment(repo: Path, environment: dict[str, str]) -> None:
    result = run_invoke(repo, "deploy", "--env", "staging", environment=environment)

    assert result.returncode == 1
    assert_one_line_error(
        result.stderr,
        "error: unknown environment 'staging': known environments are prod, test "
        "(add it to PACT_PIPELINE_ENVIRONMENTS or pipeline.environments)",
    )


def test_no_pact_files(repo: Path, environment: dict[str, str]) -> None:
    result = run_invoke(repo, "publish", environment=environment)

    assert result.returncode == 1
    assert_one_line_error(result.stderr, "error: no pact files in pacts/ — run `invoke test` first")


def test_ci_webhook_without_a_pact_url(repo: Path, environment: dict[str, str]) -> None:
    result = run_invoke(repo, "ci-webhook", environment=environment)

    assert result.returncode == 1
    assert_one_line_error(
        result.stderr,
        "error: ci-webhook needs the pact to verify: set PACT_URL (the webhook's "
        "${pactbroker.pactUrl}) or pass --pact-url",
    )


def test_provider_contracts_need_a_broker_that_supports_them(
    tmp_path: Path, environment: dict[str, str], oss_broker: str
) -> None:
    repo = copy_repository(tmp_path / "with-provider", (*PIPELINE_FILES, "provider"))
    environment["PACT_BROKER_BASE_URL"] = oss_broker

    result = run_invoke(repo, "publish-provider-contract", environment=environment)

    assert result.returncode == 1
    assert_one_line_error(
        result.stderr,
        f"error: the Pact Broker at {oss_broker} does not support provider contracts (its "
        "index has no pf:publish-provider-contract): bi-directional contract testing needs "
        "PactFlow or this project's broker",
    )


def test_an_embedded_broker_that_cannot_start_points_at_its_log(
    repo: Path, environment: dict[str, str]
) -> None:
    # The real broker, given a database it cannot open: a directory where the file should be.
    (repo / ".pact-broker" / "broker.sqlite").mkdir(parents=True)

    result = run_invoke(repo, "can-i-deploy", environment=environment)

    assert result.returncode == 1
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith("error: the embedded Pact Broker exited with code ")
    assert "unable to open database file" in line, "the log line that explains it is quoted"
    assert line.endswith("; see .pact-broker/broker.log")


def test_bad_settings_are_reported_not_raised(repo: Path, environment: dict[str, str]) -> None:
    environment["PACT_PIPELINE_CAN_I_DEPLOY_RETRIES"] = "many"

    result = run_invoke(repo, "can-i-deploy", environment=environment)

    assert result.returncode == 1
    assert_one_line_error(
        result.stderr,
        "error: PACT_PIPELINE_CAN_I_DEPLOY_RETRIES: input should be a valid integer, unable to "
        "parse string as an integer, got 'many'",
    )


#: Every task that reads the pipeline's settings.
SETTINGS_TASKS = (
    "test",
    "publish",
    "publish-provider-contract",
    "verify",
    "can-i-deploy",
    "deploy",
    "ci",
    "fake-ci",
    "ci-webhook",
    "broker",
    "broker-stop",
)

#: Settings that cannot work, and the start of the one line that says so.
BAD_SETTINGS = {
    "PACT_PIPELINE_BROKER_DIR": (
        "pyproject.toml",
        "error: PACT_PIPELINE_BROKER_DIR: must be a directory for the embedded broker's data, "
        "not a file, got 'pyproject.toml'",
    ),
    "PACT_PIPELINE_BROKER_PORT": (
        "0",
        "error: PACT_PIPELINE_BROKER_PORT: input should be greater than or equal to 1, got '0'",
    ),
}


def assert_one_line_error_starting(result: subprocess.CompletedProcess[str], start: str) -> None:
    assert result.returncode != 0
    assert "Traceback" not in result.stderr + result.stdout
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(start), lines[0]


@pytest.mark.parametrize("setting", sorted(BAD_SETTINGS))
@pytest.mark.parametrize("task", SETTINGS_TASKS)
def test_every_task_reports_a_bad_setting_in_one_line(
    repo: Path, environment: dict[str, str], task: str, setting: str
) -> None:
    value, expected = BAD_SETTINGS[setting]
    environment[setting] = value

    result = run_invoke(repo, task, environment=environment)

    assert_one_line_error_starting(result, expected)


@pytest.mark.parametrize("task", ["publish", "can-i-deploy", "broker-stop"])
def test_a_broker_url_without_a_scheme_is_a_configuration_error(
    repo: Path, environment: dict[str, str], task: str
) -> None:
    environment["PACT_BROKER_BASE_URL"] = "127.0.0.1:9292"

    result = run_invoke(repo, task, environment=environment)

    assert_one_line_error_starting(
        result,
        "error: PACT_BROKER_BASE_URL: must start with http:// or https://, got '127.0.0.1:9292'",
    )


#: Each task with an argument it cannot use, and the start of the one line that says so.
BAD_ARGUMENTS = [
    (("publish", "--nope"), "No idea what '--nope' is!"),
    (("verify", "--nope"), "No idea what '--nope' is!"),
    (("publish-provider-contract", "--nope"), "No idea what '--nope' is!"),
    (("can-i-deploy", "--env", "nope"), "error: unknown environment 'nope'"),
    (("deploy", "--env", "nope"), "error: unknown environment 'nope'"),
    (("ci", "--env", "nope"), "error: unknown environment 'nope'"),
    (("fake-ci", "--env", "nope"), "error: unknown environment 'nope'"),
    (("ci-webhook", "--pact-url", "nope"), "error: ci-webhook needs the pact's URL"),
    (("broker", "--port", "70000"), "error: pipeline.broker_port: input should be less than or"),
    (("broker-stop", "--nope"), "No idea what '--nope' is!"),
    (("test", "--nope"), "No idea what '--nope' is!"),
]


@pytest.mark.parametrize(
    ("arguments", "expected"), BAD_ARGUMENTS, ids=[" ".join(a) for a, _ in BAD_ARGUMENTS]
)
def test_every_task_reports_a_bad_argument_in_one_line(
    repo: Path, environment: dict[str, str], arguments: tuple[str, ...], expected: str
) -> None:
    result = run_invoke(repo, *arguments, environment=environment)

    assert_one_line_error_starting(result, expected)


#: The maintainer tasks, which need the whole repository; each fails before doing any work.
BAD_MAINTAINER_ARGUMENTS = [
    (("conformance", "--file", "nope.json"), "error: no pact file nope.json in "),
    (("bench", "--scale", "-1"), "error: --scale must be positive, got -1"),
    (("bench", "--rounds", "0"), "error: --rounds must be at least 1, got 0"),
    (("bench", "--database-url", "nope"), "error: --database-url must name a throwaway"),
]


@pytest.mark.parametrize(
    ("arguments", "expected"),
    BAD_MAINTAINER_ARGUMENTS,
    ids=[" ".join(a) for a, _ in BAD_MAINTAINER_ARGUMENTS],
)
def test_maintainer_tasks_report_a_bad_argument_in_one_line(
    environment: dict[str, str], arguments: tuple[str, ...], expected: str
) -> None:
    result = run_invoke(REPOSITORY, *arguments, environment=environment)

    assert_one_line_error_starting(result, expected)
