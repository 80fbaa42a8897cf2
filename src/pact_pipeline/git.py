"""Which version and branch of this repository the pipeline is publishing.

The Pact Broker identifies a pacticipant version by an opaque string; we use the short git
sha, as the Pact docs recommend, so a version maps to exactly one commit. `fake-ci` appends
`+<epoch seconds>` so every local run is a new version (the same trick as the pactflow
example Makefiles), which keeps repeated local runs from colliding with already published,
different pact content.

Outside a git checkout (an exported tarball, a container without `.git`) the pipeline still
works: the version falls back to `0.0.0+local.<timestamp>` and the branch to `local`, with a
warning, unless `GIT_COMMIT`/`GIT_BRANCH` say otherwise.
"""

from __future__ import annotations

import subprocess
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

#: The branch used when git cannot tell us one.
FALLBACK_BRANCH = "local"


@dataclass(frozen=True)
class Revision:
    """The version and branch the pipeline publishes under.

    Attributes:
        version:
            The pacticipant version number (short sha, maybe `+<epoch>`).

        branch:
            The branch name.

        warnings:
            Why a fallback was used, for the user to read.
    """

    version: str
    branch: str
    warnings: tuple[str, ...] = ()


def short_sha(root: Path) -> str | None:
    """Return the short sha of `HEAD`, or `None` outside a git checkout / before any commit.

    Args:
        root:
            A directory inside the checkout.
    """
    return _git(root, "rev-parse", "--short", "HEAD")


def current_branch(root: Path) -> str | None:
    """Return the checked-out branch, or `None` when detached or outside a checkout.

    Args:
        root:
            A directory inside the checkout.
    """
    # `branch --show-current` (unlike `rev-parse --abbrev-ref`) also works before the first
    # commit and prints nothing on a detached HEAD.
    return _git(root, "branch", "--show-current")


def resolve_revision(
    root: Path,
    *,
    commit_override: str | None = None,
    branch_override: str | None = None,
    unique: bool = False,
    now: Callable[[], float] = time.time,
) -> Revision:
    """Work out the version and branch to publish under.

    Args:
        root:
            The repository root.

        commit_override:
            `GIT_COMMIT`, used verbatim when set.

        branch_override:
            `GIT_BRANCH`, used verbatim when set.

        unique:
            Append `+<epoch seconds>` to the sha (fake-ci), so each run is a new version.

        now:
            The clock, injectable for tests.

    Returns:
        The revision, with warnings when a fallback had to be used.
    """
    warnings: list[str] = []
    version = commit_override
    if version is None:
        sha = short_sha(root)
        if sha is None:
            version = f"0.0.0+local.{int(now())}"
            warnings.append(
                f"not a git checkout (or no commit yet): using version {version}; "
                "set GIT_COMMIT to choose one"
            )
        else:
            version = f"{sha}+{int(now())}" if unique else sha
    branch = branch_override or current_branch(root)
    if not branch:
        branch = FALLBACK_BRANCH
        warnings.append(
            f"cannot tell the git branch (detached HEAD or not a checkout): using "
            f"'{FALLBACK_BRANCH}'; set GIT_BRANCH to choose one"
        )
    return Revision(version=version, branch=branch, warnings=tuple(warnings))


def _git(root: Path, *args: str) -> str | None:
    try:
        completed = subprocess.run(
            ["git", *args],
            cwd=root,
            capture_output=True,
            text=True,
            check=False,
        )
    except OSError:
        # git is not installed (slim containers): same as "not a checkout".
        return None
    output = completed.stdout.strip()
    return output if completed.returncode == 0 and output else None
