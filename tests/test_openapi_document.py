"""Reading a provider's OpenAPI document: from its app, or from a JSON or YAML file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from pact_pipeline.errors import ConfigurationError, PipelineError
from pact_pipeline.openapi_document import JSON, YAML, load_document
from tests.helpers import REPOSITORY

MINIMAL = {
    "openapi": "3.0.3",
    "info": {"title": "Orders", "version": "2.1"},
    "paths": {
        "/orders/{id}": {
            "get": {
                "parameters": [
                    {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}
                ],
                "responses": {"200": {"description": "the order"}},
            }
        }
    },
}


def test_the_example_apps_document_comes_from_fastapi() -> None:
    document = load_document("provider.app:app", REPOSITORY)

    assert document.content_type == JSON
    assert document.title == "ProductService 1.0.0"
    assert document.operations == 2
    assert json.loads(document.content) == document.document
    assert set(document.document["paths"]) == {"/products", "/product/{product_id}"}
    # The same app writes the same bytes: an unchanged document is an unchanged contract.
    assert load_document("provider.app:app", REPOSITORY).content == document.content


def test_a_yaml_file_is_published_as_its_own_bytes(tmp_path: Path) -> None:
    text = "# the team's hand-written contract\n" + yaml.safe_dump(MINIMAL)
    (tmp_path / "api").mkdir()
    (tmp_path / "api" / "openapi.yaml").write_text(text)

    document = load_document("api/openapi.yaml", tmp_path)

    assert document.content == text.encode()
    assert document.content_type == YAML
    assert document.suffix == ".yaml"
    assert document.title == "Orders 2.1"
    assert document.operations == 1


def test_a_json_file_is_json(tmp_path: Path) -> None:
    (tmp_path / "openapi.json").write_text(json.dumps(MINIMAL))

    document = load_document("openapi.json", tmp_path)

    assert document.content_type == JSON
    assert document.document == MINIMAL


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        pytest.param(
            "missing.yaml",
            "pipeline.provider.openapi must be 'module:attribute' of an app with .openapi(), or "
            "a JSON or YAML file; there is no file 'missing.yaml' in",
            id="no-such-file",
        ),
        pytest.param(
            "no_such_module_here:app",
            "cannot import the app 'no_such_module_here:app' of pipeline.provider.openapi: No "
            "module named 'no_such_module_here'",
            id="no-such-module",
        ),
        pytest.param(
            "provider.app:create_app",
            "pipeline.provider.openapi 'provider.app:create_app' is not an app with .openapi()",
            id="not-an-app",
        ),
        pytest.param(
            "provider.app:nothing",
            "pipeline.provider.openapi 'provider.app:nothing' is not an app with .openapi()",
            id="no-such-attribute",
        ),
    ],
)
def test_a_setting_that_names_nothing_says_so(spec: str, message: str) -> None:
    with pytest.raises(ConfigurationError) as raised:
        load_document(spec, REPOSITORY)

    assert str(raised.value).startswith(message)


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        pytest.param(
            "openapi.json",
            "{not json",
            "openapi.json is not a readable OpenAPI document",
            id="json",
        ),
        pytest.param(
            "openapi.yaml", "a: [", "openapi.yaml is not a readable OpenAPI document", id="yaml"
        ),
        pytest.param(
            "openapi.yaml",
            "- a list",
            "openapi.yaml is not an OpenAPI document (not a JSON or YAML object)",
            id="not-an-object",
        ),
        pytest.param(
            "openapi.yaml",
            "title: Orders",
            "openapi.yaml is not an OpenAPI document: it has no 'openapi' version field",
            id="no-version",
        ),
        pytest.param(
            "openapi.yaml",
            yaml.safe_dump({**MINIMAL, "info": {"title": "Orders"}}),
            "openapi.yaml is not a valid OpenAPI document at info: 'version' is a required "
            "property",
            id="invalid",
        ),
        pytest.param(
            "openapi.yaml",
            yaml.safe_dump({**MINIMAL, "openapi": "4.0.0"}),
            "openapi.yaml is OpenAPI 4.0.0, which is not supported",
            id="unsupported-version",
        ),
    ],
)
def test_a_document_that_is_not_openapi_is_one_line(
    tmp_path: Path, name: str, text: str, message: str
) -> None:
    (tmp_path / name).write_text(text)

    with pytest.raises(PipelineError) as raised:
        load_document(name, tmp_path)

    assert str(raised.value).replace('"', "'").startswith(message)
    assert "\n" not in str(raised.value)
