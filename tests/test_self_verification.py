"""The provider contract's self-verification: schemathesis against the running app.

Real runs: the example provider served through its adapter passes; apps that break their own
documents fail, with a report that says how. Each run takes a second or two.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import FastAPI, HTTPException
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from pact_pipeline.openapi_document import document_of_app, load_document
from pact_pipeline.self_verification import SelfVerification, schemathesis_command, self_verify
from pact_pipeline.serving import serve_app
from provider.verification import served_for_verification
from tests.helpers import REPOSITORY


class Thing(BaseModel):
    id: str
    name: str


def things_app(*, document_404: bool = True, name: object = "a thing") -> FastAPI:
    """An app whose `GET /things/{id}` answers thing 1, and 404 for every other id."""
    app = FastAPI(title="Things", version="1")
    responses: dict[int | str, dict[str, Any]] | None = (
        {404: {"description": "no such thing"}} if document_404 else None
    )

    @app.get("/things/{thing_id}", response_model=Thing, responses=responses)
    def thing(thing_id: str) -> JSONResponse:
        if thing_id != "1":
            raise HTTPException(status_code=404)
        return JSONResponse({"id": "1", "name": name})

    @app.get("/things", response_model=list[Thing])
    def things() -> JSONResponse:
        return JSONResponse([{"id": "1", "name": name}])

    return app


def verify(app: FastAPI, tmp_path: Path, examples: int = 10) -> SelfVerification:
    document = document_of_app(app, "things")
    with serve_app(app) as url:
        return self_verify(document, url, headers={}, examples=examples, root=tmp_path)


def test_the_example_provider_passes_its_own_document(tmp_path: Path) -> None:
    document = load_document("provider.app:app", REPOSITORY)

    with served_for_verification() as served:
        outcome = self_verify(
            document, served.base_url, headers=served.headers, examples=10, root=REPOSITORY
        )

    assert outcome.success, outcome.report
    assert outcome.summary.startswith("No issues found")
    assert outcome.test_cases is not None and "passed" in outcome.test_cases
    assert "\x1b[" not in outcome.report, "the published report is plain text"
    assert outcome.verifier_version.split(".")[0] == "4"
    assert "Authorization" not in outcome.command, "credentials stay out of the report"
    assert outcome.seconds > 0


def test_an_undocumented_status_fails_and_the_report_names_it(tmp_path: Path) -> None:
    outcome = verify(things_app(document_404=False), tmp_path)

    assert not outcome.success
    assert "Undocumented status code" in outcome.report
    assert "Received: 404" in outcome.report
    assert "st replay" not in outcome.report, "no crash file is kept to replay"
    assert "failure" in outcome.summary


def test_a_body_that_breaks_its_schema_fails(tmp_path: Path) -> None:
    outcome = verify(things_app(name=7), tmp_path)

    assert not outcome.success
    assert "Response violates schema" in outcome.report


def test_documenting_what_the_app_does_makes_it_pass(tmp_path: Path) -> None:
    outcome = verify(things_app(), tmp_path)

    assert outcome.success, outcome.report


def test_the_command_runs_every_check_deterministically_without_a_database(
    tmp_path: Path,
) -> None:
    command = schemathesis_command(tmp_path / "openapi.json", "http://h:1", examples=7)

    assert command[1:4] == ["-m", "schemathesis.cli", "--no-color"]
    assert command[command.index("--checks") + 1] == "all"
    assert command[command.index("--max-examples") + 1] == "7"
    assert "--generation-deterministic" in command
    assert "--config-file" not in command


def test_a_schemathesis_toml_in_the_repository_is_used(tmp_path: Path) -> None:
    config = tmp_path / "schemathesis.toml"

    command = schemathesis_command(
        tmp_path / "openapi.json", "http://h:1", examples=7, config=config
    )

    assert command[command.index("--config-file") + 1] == str(config)
    assert command.index("--config-file") < command.index("run"), "a global option"


def test_nothing_is_left_in_the_repository(tmp_path: Path) -> None:
    verify(things_app(), tmp_path, examples=2)

    assert list(tmp_path.iterdir()) == []
