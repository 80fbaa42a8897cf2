"""Helpers shared by the pipeline tests (imported by the tests and conftest.py)."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from rich.console import Console

from pact_pipeline.output import Output
from pact_pipeline.serving import free_port


class RecordedOutput(Output):
    """An [`Output`][pact_pipeline.output.Output] whose text can be read back."""

    def __init__(self) -> None:
        self.buffer = io.StringIO()
        super().__init__(Console(file=self.buffer, width=240, color_system=None))

    @property
    def text(self) -> str:
        """Everything printed so far."""
        return self.buffer.getvalue()


class FakeSleep:
    """Records requested sleeps instead of sleeping."""

    def __init__(self) -> None:
        self.calls: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)


def git(root: Path, *args: str) -> str:
    """Run git in `root` with a fixed identity and return its stdout."""
    completed = subprocess.run(
        ["git", "-c", "user.name=Test", "-c", "user.email=test@example.com", *args],
        cwd=root,
        check=True,
        capture_output=True,
        text=True,
    )
    return completed.stdout.strip()


#: Repository files a project needs to run `invoke` (the package itself is installed).
PIPELINE_FILES = ("tasks.py", "invoke.yaml", "pyproject.toml")

#: Variables that would point a copied repository at a real broker or CI.
LEAKY_VARIABLES = (
    "PACT_BROKER_BASE_URL",
    "PACT_BROKER_TOKEN",
    "PACT_BROKER_USERNAME",
    "PACT_BROKER_PASSWORD",
    "PACT_URL",
    "CI",
    "GIT_COMMIT",
    "GIT_BRANCH",
    "BUILD_URL",
    "GITHUB_HEAD_REF",
    "GITHUB_REF_NAME",
    "GITHUB_RUN_ID",
)

REPOSITORY = Path(__file__).resolve().parents[1]


def copy_repository(
    destination: Path, names: tuple[str, ...] = PIPELINE_FILES, source: Path = REPOSITORY
) -> Path:
    """Copy parts of this repository into `destination` and commit them on `main`.

    Caches, virtualenvs, broker data and generated pacts are left behind, so the copy
    starts from a clean state.
    """
    ignore = shutil.ignore_patterns(
        "__pycache__", ".mypy_cache", ".ruff_cache", ".pytest_cache", ".pact-broker", "*.pyc"
    )
    destination.mkdir(parents=True, exist_ok=True)
    for name in names:
        origin = source / name
        if origin.is_dir():
            shutil.copytree(origin, destination / name, ignore=ignore)
        elif origin.exists():
            shutil.copy2(origin, destination / name)
    pacts = destination / "pacts"
    pacts.mkdir(exist_ok=True)
    for stale in pacts.glob("*.json"):
        stale.unlink()
    git(destination, "init", "--quiet", "--initial-branch=main")
    git(destination, "add", "--all")
    git(destination, "commit", "--quiet", "-m", "copy")
    return destination


def invoke_environment(**overrides: str) -> dict[str, str]:
    """The environment for an `invoke` subprocess: ours, minus broker/CI settings."""
    environment = {k: v for k, v in os.environ.items() if k not in LEAKY_VARIABLES}
    environment["PACT_DO_NOT_TRACK"] = "true"
    environment.update(overrides)
    return environment


def run_invoke(
    root: Path, *arguments: str, environment: dict[str, str], timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """Run `invoke <arguments>` in `root` as a user would, capturing its output."""
    return subprocess.run(
        [sys.executable, "-m", "invoke", *arguments],
        cwd=root,
        env=environment,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


#: Top-level entries of the repository that are never copied.
NOT_COPIED = {".venv", ".git", ".pact-broker", ".mypy_cache", ".ruff_cache", ".pytest_cache"}


class Project:
    """A copy of the repository and the environment to run `invoke` in it."""

    def __init__(self, root: Path, port: int) -> None:
        self.root = root
        self.url = f"http://127.0.0.1:{port}"
        self.environment = invoke_environment(
            PACT_PIPELINE_BROKER_PORT=str(port),
            PACT_PIPELINE_CAN_I_DEPLOY_RETRIES="0",
            PACT_PIPELINE_BROKER_START_TIMEOUT="60",
            COLUMNS="200",
        )

    def invoke(self, *arguments: str, **extra: str) -> subprocess.CompletedProcess[str]:
        """Run `invoke <arguments>` in the copy, with `extra` variables."""
        result = run_invoke(
            self.root, *arguments, environment={**self.environment, **extra}, timeout=240
        )
        # Shown by pytest when a test fails, which is when it is needed.
        print(f"$ invoke {' '.join(arguments)}  → {result.returncode}")
        print(result.stdout[-6000:])
        print(result.stderr[-3000:])
        return result

    def version(self) -> str:
        """The copy's current version (short sha)."""
        return git(self.root, "rev-parse", "--short", "HEAD")

    def change_the_pact(self) -> str:
        """A new commit whose pact leaves out its last interaction (the provider still honours
        it); returns the new version. The pact file must have been written (`invoke ci`)."""
        (self.root / "NOTES.md").write_text("a change\n")
        git(self.root, "add", "--all")
        git(self.root, "commit", "--quiet", "-m", "consumer change")
        pact_file = next((self.root / "pacts").glob("*.json"))
        pact = json.loads(pact_file.read_text())
        pact["interactions"] = pact["interactions"][:-1]
        pact_file.write_text(json.dumps(pact))
        return self.version()


@contextmanager
def whole_project(parent: Path) -> Iterator[Project]:
    """A copy of the whole repository with its own broker port; the broker stops after."""
    names = tuple(
        sorted(entry.name for entry in REPOSITORY.iterdir() if entry.name not in NOT_COPIED)
    )
    copy = Project(copy_repository(parent / "repo", names), free_port())
    try:
        yield copy
    finally:
        copy.invoke("broker-stop")
