"""Adopting the pipeline: projects of other names that use only the installed package.

Each project is written from scratch into a temporary directory — its own tiny FastAPI
service and provider states, its own consumer Pact test, an `invoke.yaml` declaring its
pacticipants and a three-line `tasks.py` — and runs `invoke ci` against its own embedded
broker. Nothing of this repository's example system is copied.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from pact_pipeline.serving import free_port
from tests.helpers import git, invoke_environment, run_invoke

pytestmark = pytest.mark.e2e

TASKS = """\
from pathlib import Path

from pact_pipeline.tasks import namespace

ns = namespace(root=Path(__file__).resolve().parent)
"""

ORDER_SERVICE = """\
from fastapi import FastAPI, HTTPException

ORDERS: dict[str, dict[str, object]] = {}


def create_app() -> FastAPI:
    app = FastAPI()

    @app.get("/orders/{order_id}")
    def order(order_id: str) -> dict[str, object]:
        if order_id not in ORDERS:
            raise HTTPException(status_code=404)
        return ORDERS[order_id]

    return app
"""

ORDER_ADAPTER = """\
from collections.abc import Iterator
from contextlib import contextmanager
from contextlib import contextmanager
from typing import Any

from pact_pipeline.serving import serve_app
from pact_pipeline.verifier import ServedProvider

from orders.app import ORDERS, create_app


def order_1_exists(action: str, parameters: dict[str, Any] | None) -> None:
    ORDERS.clear()
    if action == "setup":
        ORDERS["1"] = {"id": "1", "total": 42}


@contextmanager
def serve() -> Iterator[ServedProvider]:
    with serve_app(create_app()) as url:
        yield ServedProvider(url, {"order 1 exists": order_1_exists})
"""

ORDER_CONTRACT = """\
import os

import httpx
from pact import Pact, match


def test_order_web_reads_an_order() -> None:
    pact = Pact("OrderWeb", "OrderService").with_specification("V4")
    (
        pact.upon_receiving("get order 1")
        .given("order 1 exists")
        .with_request("GET", "/orders/1")
        .will_respond_with(200)
        .with_body({"id": "1", "total": match.int(42)}, content_type="application/json")
    )
    with pact.serve() as server:
        assert httpx.get(f"{server.url}/orders/1").json()["total"] == 42
    pact.write_file(os.environ["PACT_DIR"], overwrite=True)
"""


def write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")


def committed(root: Path) -> Path:
    git(root, "init", "--quiet", "--initial-branch=main")
    git(root, "add", "--all")
    git(root, "commit", "--quiet", "-m", "first")
    return root


class Adopter:
    """A project of its own, with its own embedded broker."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.environment = invoke_environment(
            PACT_PIPELINE_BROKER_PORT=str(free_port()),
            PACT_PIPELINE_CAN_I_DEPLOY_RETRIES="0",
            PACT_PIPELINE_BROKER_START_TIMEOUT="60",
            COLUMNS="200",
        )

    def invoke(self, *arguments: str) -> str:
        result = run_invoke(self.root, *arguments, environment=self.environment, timeout=240)
        print(f"$ invoke {' '.join(arguments)}  → {result.returncode}")
        print(result.stdout[-6000:], result.stderr[-3000:])
        assert result.returncode == 0, result.stderr
        return result.stdout


#: The files of the order service, which both projects build.
ORDER_SERVICE_FILES = {
    "tasks.py": TASKS,
    "orders/__init__.py": "",
    "orders/app.py": ORDER_SERVICE,
    "orders/adapter.py": ORDER_ADAPTER,
}


@contextmanager
def adopter(root: Path, files: dict[str, str]) -> Iterator[Adopter]:
    """A new project with these files (and the order service), committed, its broker stopped
    afterwards."""
    write(root, {**ORDER_SERVICE_FILES, **files})
    project = Adopter(committed(root))
    try:
        yield project
    finally:
        project.invoke("broker-stop")


@pytest.fixture
def both_sides(tmp_path: Path) -> Iterator[Adopter]:
    invoke_yaml = """\
        pipeline:
          consumer:
            name: OrderWeb
            tests: [web_tests]
          provider:
            name: OrderService
            adapter: orders.adapter:serve
          pacts_dir: contracts
        """
    files = {"web_tests/test_order_contract.py": ORDER_CONTRACT, "invoke.yaml": invoke_yaml}
    with adopter(tmp_path / "shop", files) as project:
        yield project


@pytest.fixture
def provider_only(tmp_path: Path) -> Iterator[Adopter]:
    invoke_yaml = """\
        pipeline:
          provider:
            name: OrderService
            adapter: orders.adapter:serve
        """
    with adopter(tmp_path / "orders-service", {"invoke.yaml": invoke_yaml}) as project:
        yield project


def test_a_project_with_a_consumer_and_a_provider_of_its_own_runs_ci_green(
    both_sides: Adopter,
) -> None:
    output = both_sides.invoke("ci")

    version = git(both_sides.root, "rev-parse", "--short", "HEAD")
    assert (both_sides.root / "contracts" / "OrderWeb-OrderService.json").is_file()
    assert f"OrderWeb {version}: passed (1/1 interactions)" in output
    assert f"recorded the deployment of OrderService {version} to prod" in output
    assert f"recorded the deployment of OrderWeb {version} to prod" in output


def test_a_project_holding_only_a_provider_runs_its_ci_green(provider_only: Adopter) -> None:
    output = provider_only.invoke("ci")

    version = git(provider_only.root, "rev-parse", "--short", "HEAD")
    assert "publish" not in output.split("Pipeline summary")[-1], "no consumer: no publish"
    assert f"recorded OrderService {version} on branch main in the broker" in output
    assert f"yes: OrderService {version} can be deployed to prod" in output
    assert f"recorded the deployment of OrderService {version} to prod" in output
