"""Builds of the local CI: what a webhook asks for, the queue, and running one build.

A build is `invoke ci-webhook --publish` for one pact URL, as the provider version the webhook
names: in this checkout when that version is its `HEAD`, otherwise in a temporary detached git
worktree of that commit (the working copy is never touched), like a CI checking out the sha.
"""

from __future__ import annotations

import contextlib
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping

#: Variables a build must not inherit: they would point it at another broker or pact.
_BROKER_VARIABLES = ("PACT_BROKER_TOKEN", "PACT_BROKER_USERNAME", "PACT_BROKER_PASSWORD")


class DispatchError(ValueError):
    """A webhook body the local CI cannot build from; the message says what is wrong."""


@dataclass(frozen=True)
class BuildRequest:
    """What one webhook delivery asks the CI to build.

    Attributes:
        pact_url:
            The pact to verify (`${pactbroker.pactUrl}`).

        provider_version:
            The provider version that must verify it (`${pactbroker.providerVersionNumber}`);
            `None` for this checkout's version.

        provider_branch:
            That version's branch, if known.

        message:
            Free text from the webhook, shown in the build list.
    """

    pact_url: str
    provider_version: str | None = None
    provider_branch: str | None = None
    message: str = ""

    @property
    def key(self) -> tuple[str, str]:
        """Two deliveries with the same key are the same build."""
        return (self.pact_url, self.provider_version or "")


def parse_dispatch(body: Any) -> BuildRequest:
    """Read a `repository_dispatch`-shaped body: `{"client_payload": {"pact_url", "sha", …}}`.

    Raises:
        DispatchError:
            Naming the field that is missing or wrong.
    """
    if not isinstance(body, dict):
        msg = "the body must be a JSON object with a client_payload"
        raise DispatchError(msg)
    payload = body.get("client_payload")
    if not isinstance(payload, dict):
        msg = "client_payload must be an object with pact_url (and sha, branch)"
        raise DispatchError(msg)
    pact_url = payload.get("pact_url")
    if not isinstance(pact_url, str) or not _is_http_url(pact_url):
        msg = f"client_payload.pact_url must be an http(s) URL, got {pact_url!r}"
        raise DispatchError(msg)
    for name in ("sha", "branch", "message"):
        if payload.get(name) is not None and not isinstance(payload[name], str):
            msg = f"client_payload.{name} must be a string"
            raise DispatchError(msg)
    return BuildRequest(
        pact_url=pact_url,
        provider_version=payload.get("sha") or None,
        provider_branch=payload.get("branch") or None,
        message=payload.get("message") or "",
    )


def _is_http_url(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


@dataclass
class Build:
    """One build: its request, state and log."""

    number: int
    request: BuildRequest
    log_path: Path
    status: str = "queued"  # queued, running, passed, failed
    queued_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    started_at: datetime | None = None
    finished_at: datetime | None = None
    exit_code: int | None = None

    @property
    def seconds(self) -> float | None:
        """How long it ran, once finished."""
        if self.started_at is None or self.finished_at is None:
            return None
        return (self.finished_at - self.started_at).total_seconds()

    def as_json(self) -> dict[str, Any]:
        """The build as the server lists it."""
        return {
            "number": self.number,
            "status": self.status,
            "pactUrl": self.request.pact_url,
            "providerVersion": self.request.provider_version,
            "providerBranch": self.request.provider_branch,
            "message": self.request.message,
            "queuedAt": self.queued_at.isoformat(),
            "startedAt": self.started_at.isoformat() if self.started_at else None,
            "finishedAt": self.finished_at.isoformat() if self.finished_at else None,
            "exitCode": self.exit_code,
            "log": str(self.log_path),
        }


#: Runs one build, writing its output to the log path; returns the exit code.
BuildRunner = Callable[[BuildRequest, Path], int]


class BuildQueue:
    """Builds run one at a time, in arrival order, each distinct request once."""

    def __init__(
        self, runner: BuildRunner, log_dir: Path, on_event: Callable[[Build], None]
    ) -> None:
        """Create the queue; `start` runs its worker."""
        self._runner = runner
        self._log_dir = log_dir
        self._on_event = on_event
        self._builds: list[Build] = []
        self._by_key: dict[tuple[str, str], Build] = {}
        self._condition = threading.Condition()
        self._stopping = False
        self._worker = threading.Thread(target=self._work, name="local-ci", daemon=True)

    def start(self) -> None:
        """Start running queued builds."""
        self._log_dir.mkdir(parents=True, exist_ok=True)
        self._worker.start()

    def stop(self, timeout: float = 60.0) -> None:
        """Finish the running build, drop the queued ones, and stop."""
        with self._condition:
            self._stopping = True
            self._condition.notify_all()
        if self._worker.is_alive():
            self._worker.join(timeout)

    def submit(self, request: BuildRequest) -> tuple[Build, bool]:
        """Queue a build unless the same one was asked for before; returns (build, queued)."""
        with self._condition:
            existing = self._by_key.get(request.key)
            if existing is not None:
                return existing, False
            number = len(self._builds) + 1
            build = Build(number, request, self._log_dir / f"{number}.log")
            self._builds.append(build)
            self._by_key[request.key] = build
            self._condition.notify_all()
        return build, True

    def builds(self) -> list[Build]:
        """Every build, oldest first."""
        with self._condition:
            return list(self._builds)

    def get(self, number: int) -> Build | None:
        """One build by number."""
        with self._condition:
            return self._builds[number - 1] if 0 < number <= len(self._builds) else None

    def wait_idle(self, timeout: float) -> bool:
        """Wait until no build is queued or running; False on timeout."""
        deadline = time.monotonic() + timeout
        with self._condition:
            while any(build.status in ("queued", "running") for build in self._builds):
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._condition.wait(remaining)
        return True

    def _next(self) -> Build | None:
        with self._condition:
            while not self._stopping:
                queued = next((b for b in self._builds if b.status == "queued"), None)
                if queued is not None:
                    queued.status = "running"
                    queued.started_at = datetime.now(UTC)
                    return queued
                self._condition.wait()
        return None

    def _work(self) -> None:
        while (build := self._next()) is not None:
            self._on_event(build)
            try:
                code = self._runner(build.request, build.log_path)
            except Exception as error:  # a build that cannot start is a failed build
                with build.log_path.open("a") as log:
                    log.write(f"error: the build could not run: {error}\n")
                code = 1
            with self._condition:
                build.exit_code = code
                build.status = "passed" if code == 0 else "failed"
                build.finished_at = datetime.now(UTC)
                self._condition.notify_all()
            self._on_event(build)


# -- running one build ------------------------------------------------------------------


@dataclass(frozen=True)
class BuildContext:
    """Where builds run and which broker they talk to.

    Attributes:
        root:
            The repository (with `tasks.py`).

        broker_url:
            The broker builds publish to.

        embedded_broker:
            Whether it is the embedded one (then no credentials are passed on).

        environ:
            The environment builds inherit.
    """

    root: Path
    broker_url: str
    embedded_broker: bool
    environ: Mapping[str, str]


def run_build(context: BuildContext, request: BuildRequest, log_path: Path) -> int:
    """Run `invoke ci-webhook --publish` for the request; its output goes to `log_path`."""
    with log_path.open("w") as log:
        log.write(f"pact: {request.pact_url}\n")
        try:
            with checkout(context.root, request.provider_version) as (workdir, where):
                log.write(f"workspace: {where}\n")
                log.flush()
                command = [sys.executable, "-m", "invoke", "--search-root", str(workdir)]
                command += ["ci-webhook", "--publish", "--pact-url", request.pact_url]
                completed = subprocess.run(
                    command,
                    cwd=workdir,
                    env=build_environ(context, request),
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    check=False,
                )
        except LookupError as error:
            log.write(f"error: {error}\n")
            return 1
        log.write(f"exit code: {completed.returncode}\n")
        return completed.returncode


def build_environ(context: BuildContext, request: BuildRequest) -> dict[str, str]:
    """A build's environment: CI, the pact, the provider version and branch, the broker."""
    environ = dict(context.environ)
    if context.embedded_broker:
        for name in _BROKER_VARIABLES:
            environ.pop(name, None)
    environ.update(CI="true", PACT_URL=request.pact_url, PACT_BROKER_BASE_URL=context.broker_url)
    environ.pop("GIT_COMMIT", None)
    environ.pop("GIT_BRANCH", None)
    if request.provider_version:
        environ["GIT_COMMIT"] = request.provider_version
    if request.provider_branch:
        environ["GIT_BRANCH"] = request.provider_branch
    environ.setdefault("PACT_DO_NOT_TRACK", "true")
    return environ


def checkout(
    root: Path, version: str | None
) -> contextlib.AbstractContextManager[tuple[Path, str]]:
    """Where to build `version`: this checkout if it is `HEAD`, else a temporary worktree.

    Versions are short shas, maybe with `+<epoch>` (fake-ci): the part before `+` names the
    commit.

    Raises:
        LookupError:
            If `version` names no commit of the repository.
    """
    if version is None:
        return contextlib.nullcontext((root, "this checkout"))
    commit = _git(root, "rev-parse", "--verify", "--quiet", version.split("+")[0] + "^{commit}")
    if commit is None:
        msg = f"version {version} is not a commit of {root}: there is nothing to build"
        raise LookupError(msg)
    if commit == _git(root, "rev-parse", "HEAD"):
        return contextlib.nullcontext((root, f"this checkout (HEAD is {version})"))
    return _worktree(root, commit)


@contextlib.contextmanager
def _worktree(root: Path, commit: str) -> Iterator[tuple[Path, str]]:
    with tempfile.TemporaryDirectory(prefix="pact-ci-") as parent:
        path = Path(parent) / "worktree"
        if _git(root, "worktree", "add", "--detach", "--quiet", str(path), commit) is None:
            msg = f"could not check out {commit[:12]} into a worktree"
            raise LookupError(msg)
        try:
            yield path, f"a worktree of {commit[:12]}"
        finally:
            _git(root, "worktree", "remove", "--force", str(path))


def _git(root: Path, *args: str) -> str | None:
    result = subprocess.run(
        ["git", "-C", str(root), *args],
        capture_output=True,
        text=True,
        check=False,
    )
    return result.stdout.strip() if result.returncode == 0 else None
