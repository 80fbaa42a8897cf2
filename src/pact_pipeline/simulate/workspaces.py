"""The story's throwaway repositories, made from this repository's example system."""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from typing import TYPE_CHECKING

from pact_pipeline.errors import ConfigurationError

if TYPE_CHECKING:
    from collections.abc import Mapping
    from pathlib import Path

TASKS_PY = '''"""A team's tasks: the pipeline of pact-pipeline."""

from pathlib import Path

from pact_pipeline.tasks import namespace

ns = namespace(root=Path(__file__).resolve().parent)
'''

GITIGNORE = ".pact-broker/\n.pact-ci/\npacts/*.json\n__pycache__/\n"

CONSUMER_YAML = """pipeline:
  consumer:
    name: {name}
    tests: [tests/consumer]
  environments: [prod]
"""

PROVIDER_YAML = """pipeline:
  provider:
    name: ProductService
    adapter: provider.verification:served_for_verification
  environments: [prod]
"""

#: Who commits in the story's repositories.
GIT_IDENTITY = {
    "GIT_AUTHOR_NAME": "pact-pipeline simulation",
    "GIT_AUTHOR_EMAIL": "simulation@example.invalid",
    "GIT_COMMITTER_NAME": "pact-pipeline simulation",
    "GIT_COMMITTER_EMAIL": "simulation@example.invalid",
}

_PACT_MODULE = "tests/consumer/product_service_pact.py"


@dataclass(frozen=True)
class Workspace:
    """One team's repository."""

    team: str
    pacticipant: str
    root: Path

    def git(self, *args: str) -> str:
        """Run git in the repository; returns its output."""
        result = subprocess.run(
            ["git", "-C", str(self.root), *args],
            capture_output=True,
            text=True,
            check=False,
            env={**_path_only(), **GIT_IDENTITY},
        )
        if result.returncode != 0:
            msg = f"git {' '.join(args)} failed in {self.root}: {result.stderr.strip()}"
            raise ConfigurationError(msg)
        return result.stdout.strip()

    def commit(self, message: str) -> str:
        """Commit everything; returns the new version (short sha)."""
        self.git("add", "--all")
        self.git("commit", "--quiet", "--allow-empty", "-m", message)
        return self.version

    @property
    def version(self) -> str:
        """The current version, as the pipeline computes it."""
        return self.git("rev-parse", "--short", "HEAD")

    def edit(self, path: str, old: str, new: str) -> None:
        """Replace `old` by `new` in a file of the repository (a story's code change)."""
        file = self.root / path
        text = file.read_text()
        if old not in text:
            msg = f"the example changed: {old!r} is no longer in {path}"
            raise ConfigurationError(msg)
        file.write_text(text.replace(old, new, 1))


def _path_only() -> Mapping[str, str]:
    import os

    return {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "SYSTEMROOT")}


def make_workspaces(source: Path, parent: Path) -> dict[str, Workspace]:
    """The web consumer's, the mobile consumer's and the provider's repositories.

    Raises:
        ConfigurationError:
            If `source` does not hold the example system (consumer/, provider/, tests).
    """
    needed = ("consumer", "provider", _PACT_MODULE, "tests/consumer/test_product_contract.py")
    missing = [name for name in needed if not (source / name).exists()]
    if missing:
        msg = (
            f"simulate tells its story with this repository's example system, but "
            f"{', '.join(missing)} is missing in {source}"
        )
        raise ConfigurationError(msg)
    web = _consumer(source, parent / "frontend-website", "Web team", "FrontendWebsite")
    mobile = _consumer(source, parent / "frontend-mobile", "Mobile team", "FrontendMobile")
    mobile.edit(_PACT_MODULE, 'CONSUMER = "FrontendWebsite"', 'CONSUMER = "FrontendMobile"')
    mobile.commit("FrontendMobile: first version")
    provider = Workspace("Provider team", "ProductService", parent / "product-service")
    _copy(source, provider.root, ("provider",))
    _initialise(provider, PROVIDER_YAML)
    return {"web": web, "mobile": mobile, "provider": provider}


def _consumer(source: Path, root: Path, team: str, name: str) -> Workspace:
    workspace = Workspace(team, name, root)
    _copy(source, root, ("consumer", "tests/__init__.py", "tests/consumer"))
    (root / "pacts").mkdir(exist_ok=True)
    _initialise(workspace, CONSUMER_YAML.format(name=name))
    return workspace


def _copy(source: Path, destination: Path, names: tuple[str, ...]) -> None:
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in names:
        origin, target = source / name, destination / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if origin.is_dir():
            shutil.copytree(origin, target, ignore=ignore)
        else:
            shutil.copy2(origin, target)


def _initialise(workspace: Workspace, invoke_yaml: str) -> None:
    (workspace.root / "tasks.py").write_text(TASKS_PY)
    (workspace.root / "invoke.yaml").write_text(invoke_yaml)
    (workspace.root / ".gitignore").write_text(GITIGNORE)
    workspace.git("init", "--quiet", "--initial-branch=main")
    workspace.commit(f"{workspace.pacticipant}: first version")
