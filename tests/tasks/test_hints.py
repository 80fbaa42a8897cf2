"""A newcomer's path on a fresh broker, following every hint the tasks print.

The provider builds first (nothing to verify yet), then the consumer. Whenever can-i-deploy
says no, each command it prints in backticks is run exactly as printed, and the question is
asked again: every printed command must succeed and change the answer, until both sides can
be deployed. Hints that name no command (another team's job) are never printed as commands.
"""

from __future__ import annotations

import re
import shlex
import subprocess
from collections.abc import Iterator

import pytest

from tests.helpers import Project, whole_project

pytestmark = pytest.mark.e2e

#: A printed command: "run `invoke …`".
COMMAND = re.compile(r"run `(invoke [^`]+)`")

#: The lines of can-i-deploy's output that are its answer (verdict, reasons, advice).
ANSWER_LINE = re.compile(r"^\s*(yes:|no:|unknown:|broker:|•)")


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Project]:
    with whole_project(tmp_path_factory.mktemp("hints")) as copy:
        yield copy


def answer_of(result: subprocess.CompletedProcess[str]) -> str:
    return "\n".join(line for line in result.stdout.splitlines() if ANSWER_LINE.match(line))


def test_a_providers_first_build_is_deployable(project: Project) -> None:
    unknown = project.invoke("can-i-deploy", "--pacticipant", "ProductService")
    assert unknown.returncode == 1
    assert COMMAND.findall(unknown.stdout) == ["invoke verify --publish --allow-empty"]

    verified = project.invoke("verify", "--publish", "--allow-empty")

    assert verified.returncode == 0
    assert f"recorded ProductService {project.version()} on branch main" in verified.stdout

    answer = project.invoke("can-i-deploy", "--pacticipant", "ProductService")

    assert answer.returncode == 0, "the provider version is known: yes, no consumers yet"
    assert f"yes: ProductService {project.version()} can be deployed to prod" in answer.stdout
    assert "no consumers yet" in answer.stdout


def test_nothing_deployed_to_an_environment_is_said_at_once_not_retried(
    project: Project,
) -> None:
    assert project.invoke("test", "publish").returncode == 0

    answer = project.invoke(
        "can-i-deploy",
        "--env",
        "test",
        "--pacticipant",
        "FrontendWebsite",
        PACT_PIPELINE_CAN_I_DEPLOY_RETRIES="3",
        PACT_PIPELINE_CAN_I_DEPLOY_INTERVAL="30",
    )

    assert answer.returncode == 1
    assert "asking again" not in answer.stdout, "no verification can arrive: no retry"
    assert "no version of ProductService is deployed to test" in answer.stdout
    assert "deploy ProductService to test first" in answer.stdout


def test_every_printed_command_changes_the_answer_until_both_deploy(project: Project) -> None:
    followed: list[str] = []
    # The consumer first: its provider is not in prod yet, which is the first thing to fix.
    for pacticipant in ("FrontendWebsite", "ProductService"):
        asked = project.invoke("can-i-deploy", "--pacticipant", pacticipant)
        for _ in range(4):
            if asked.returncode == 0:
                break
            commands = COMMAND.findall(asked.stdout)
            assert commands, f"a 'no' with no command to run:\n{answer_of(asked)}"
            for command in commands:
                ran = project.invoke(*shlex.split(command)[1:])
                assert ran.returncode == 0, f"`{command}` failed as printed"
                followed.append(command)
            again = project.invoke("can-i-deploy", "--pacticipant", pacticipant)
            assert answer_of(again) != answer_of(asked), f"`{commands}` changed nothing"
            asked = again
        assert asked.returncode == 0, f"{pacticipant} is still not deployable"
        assert project.invoke("deploy", "--pacticipant", pacticipant).returncode == 0

    assert any(command.startswith("invoke deploy") for command in followed)
    assert any(command.startswith("invoke ci-webhook --pact-url http") for command in followed)
