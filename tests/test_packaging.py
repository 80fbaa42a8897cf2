"""The wheel installs one import name, `pact_pipeline`; the example system stays out of it."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

from tests.helpers import REPOSITORY


def test_the_wheel_holds_only_the_pact_pipeline_package(tmp_path: Path) -> None:
    # Built from a copy of the files a build reads, so the checkout gets no build/ folder.
    source = tmp_path / "source"
    shutil.copytree(REPOSITORY / "src", source / "src", ignore=shutil.ignore_patterns("*.pyc"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(REPOSITORY / name, source / name)
    command = [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path)]
    subprocess.run([*command, str(source)], check=True, capture_output=True)
    (wheel,) = tmp_path.glob("pact_pipeline-*.whl")

    names = zipfile.ZipFile(wheel).namelist()
    top_level = {name.split("/")[0] for name in names}

    assert {name for name in top_level if not name.endswith(".dist-info")} == {"pact_pipeline"}
    assert "pact_pipeline/broker/migrations/versions/0001_initial_schema.py" in names
    assert "pact_pipeline/broker/migrations/script.py.mako" in names
    entry_points = next(name for name in names if name.endswith("entry_points.txt"))
    assert "pact-pipeline-broker = pact_pipeline.broker.__main__:main" in (
        zipfile.ZipFile(wheel).read(entry_points).decode()
    )
