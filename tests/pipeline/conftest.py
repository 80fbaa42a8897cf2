"""Fixtures for the pipeline tests: temp git repos, recorded output, a fake clock."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.pipeline.pipeline_helpers import FakeSleep, RecordedOutput, git


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
