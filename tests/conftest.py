"""Test-wide setup shared by every test package."""

from __future__ import annotations

import os

# Pact's libraries send anonymous usage telemetry unless told not to; tests must never
# phone home (and CI has no network for it anyway). Set before any test imports pact.
os.environ.setdefault("PACT_DO_NOT_TRACK", "true")

from pathlib import Path

import pytest

from tests.helpers import FakeSleep, RecordedOutput, git


@pytest.fixture
def out() -> RecordedOutput:
    return RecordedOutput()


@pytest.fixture
def fake_sleep() -> FakeSleep:
    return FakeSleep()


@pytest.fixture
def git_repo(tmp_path: Path) -> Path:
    """A git repository on branch `main` with one commit."""
    root = tmp_path / "repo"
    root.mkdir()
    git(root, "init", "--quiet", "--initial-branch=main")
    (root / "README").write_text("hello\n", encoding="utf-8")
    git(root, "add", "README")
    git(root, "commit", "--quiet", "-m", "first")
    return root
