"""Versions and branches, against real temporary git repositories."""

from __future__ import annotations

from pathlib import Path

from pact_pipeline.git import FALLBACK_BRANCH, current_branch, resolve_revision, short_sha
from tests.helpers import git


def test_version_is_the_short_sha_and_branch_the_checked_out_one(git_repo: Path) -> None:
    revision = resolve_revision(git_repo)

    assert revision.version == git(git_repo, "rev-parse", "--short", "HEAD")
    assert revision.branch == "main"
    assert revision.warnings == ()


def test_a_new_commit_is_a_new_version(git_repo: Path) -> None:
    before = resolve_revision(git_repo).version
    (git_repo / "README").write_text("changed\n", encoding="utf-8")
    git(git_repo, "commit", "--quiet", "-am", "second")

    assert resolve_revision(git_repo).version != before


def test_branch_follows_a_checkout(git_repo: Path) -> None:
    git(git_repo, "checkout", "--quiet", "-b", "feature/login")

    assert current_branch(git_repo) == "feature/login"
    assert resolve_revision(git_repo).branch == "feature/login"


def test_unique_versions_append_the_epoch_seconds(git_repo: Path) -> None:
    revision = resolve_revision(git_repo, unique=True, now=lambda: 1_700_000_000.9)

    assert revision.version == f"{short_sha(git_repo)}+1700000000"


def test_overrides_win_over_git(git_repo: Path) -> None:
    revision = resolve_revision(git_repo, commit_override="1.2.3", branch_override="release")

    assert (revision.version, revision.branch) == ("1.2.3", "release")


def test_outside_a_checkout_falls_back_with_warnings(tmp_path: Path) -> None:
    revision = resolve_revision(tmp_path, now=lambda: 42.0)

    assert revision.version == "0.0.0+local.42"
    assert revision.branch == FALLBACK_BRANCH
    assert len(revision.warnings) == 2
    assert "set GIT_COMMIT" in revision.warnings[0]
    assert "set GIT_BRANCH" in revision.warnings[1]


def test_a_repository_without_commits_has_a_branch_but_no_sha(tmp_path: Path) -> None:
    git(tmp_path, "init", "--quiet", "--initial-branch=trunk")

    revision = resolve_revision(tmp_path, now=lambda: 7.0)

    assert revision.version == "0.0.0+local.7"
    assert revision.branch == "trunk"


def test_a_detached_head_needs_git_branch(git_repo: Path) -> None:
    git(git_repo, "checkout", "--quiet", "--detach")

    detached = resolve_revision(git_repo)
    named = resolve_revision(git_repo, branch_override="main")

    assert detached.branch == FALLBACK_BRANCH
    assert any("detached HEAD" in warning for warning in detached.warnings)
    assert named.branch == "main"
    assert named.warnings == ()
