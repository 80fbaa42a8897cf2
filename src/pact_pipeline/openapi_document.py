"""A provider's OpenAPI document, as `pipeline.provider.openapi` names it.

Either `module:attribute`, an app with `.openapi()` (a FastAPI app writes its document for
free), or a JSON or YAML file in the repository. The document is checked (OpenAPI 3.0/3.1,
or Swagger 2.0, by `openapi-spec-validator`) before anything is published, so a broken
document is one line here rather than a 400 from the broker.
"""

from __future__ import annotations

import importlib
import json
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import yaml
from openapi_spec_validator import validate
from openapi_spec_validator.validation.exceptions import (
    OpenAPIValidationError,
    ValidatorDetectError,
)

from pact_pipeline.errors import ConfigurationError, PipelineError

if TYPE_CHECKING:
    from pathlib import Path

JSON = "application/json"
YAML = "application/yaml"

#: `module:attribute`, e.g. `provider.app:app` or `service.main:api.app`.
_ATTRIBUTE = re.compile(r"^[A-Za-z_][\w.]*:[A-Za-z_][\w.]*$")
_SUFFIXES = {".json": JSON, ".yaml": YAML, ".yml": YAML}


@dataclass(frozen=True)
class ProviderDocument:
    """An OpenAPI document to publish as a provider contract.

    Attributes:
        content:
            The bytes to publish: a file's own bytes, or the app's document as JSON.

        content_type:
            `application/json` or `application/yaml`.

        source:
            Where it came from, for messages (`provider.app:app`, `openapi.yaml`).

        document:
            The decoded document.
    """

    content: bytes
    content_type: str
    source: str
    document: dict[str, Any]

    @property
    def suffix(self) -> str:
        """The file suffix for its content type (tools that read a file go by it)."""
        return ".json" if self.content_type == JSON else ".yaml"

    @property
    def title(self) -> str:
        """`title version` from its `info`, for messages."""
        info = self.document.get("info")
        info = info if isinstance(info, dict) else {}
        return " ".join(str(info[key]) for key in ("title", "version") if info.get(key)) or "?"

    @property
    def operations(self) -> int:
        """How many operations (method and path) it documents."""
        paths = self.document.get("paths")
        methods = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}
        return sum(
            len(methods & set(item))
            for item in (paths.values() if isinstance(paths, dict) else ())
            if isinstance(item, dict)
        )


def load_document(spec: str, root: Path) -> ProviderDocument:
    """Read the document `pipeline.provider.openapi` names, and check it is OpenAPI.

    Args:
        spec:
            `module:attribute` of an app with `.openapi()`, or a file (relative to `root`).

        root:
            The repository root.

    Returns:
        The document.

    Raises:
        ConfigurationError:
            If `spec` names nothing that can be loaded.

        PipelineError:
            If the document is not a valid OpenAPI document.
    """
    path = (root / spec).expanduser()
    if path.is_file():
        document = _from_file(path, spec)
    elif _ATTRIBUTE.match(spec) and not spec.lower().endswith(tuple(_SUFFIXES)):
        document = _from_app(spec)
    else:
        msg = (
            f"pipeline.provider.openapi must be 'module:attribute' of an app with .openapi(), "
            f"or a JSON or YAML file; there is no file {spec!r} in {root}"
        )
        raise ConfigurationError(msg)
    check_document(document)
    return document


def _from_app(spec: str) -> ProviderDocument:
    module_name, _, attribute = spec.partition(":")
    try:
        found: Any = importlib.import_module(module_name)
    except ImportError as error:
        msg = f"cannot import the app {spec!r} of pipeline.provider.openapi: {error}"
        raise ConfigurationError(msg) from None
    for name in attribute.split("."):
        found = getattr(found, name, None)
    if not callable(getattr(found, "openapi", None)):
        msg = (
            f"pipeline.provider.openapi {spec!r} is not an app with .openapi() (a FastAPI app "
            "has one): name the app, or a JSON or YAML file"
        )
        raise ConfigurationError(msg)
    return document_of_app(found, spec)


def document_of_app(app: Any, source: str) -> ProviderDocument:
    """The document an app writes (`app.openapi()`), as JSON.

    Args:
        app:
            An app with `.openapi()`, e.g. a FastAPI app.

        source:
            How to name it in messages.

    Returns:
        The document (not yet checked: see `check_document`).

    Raises:
        PipelineError:
            If `.openapi()` fails or does not return a JSON object.
    """
    try:
        document = app.openapi()
    except Exception as error:  # the app's own code: any failure is the app's to fix
        msg = f"{source}.openapi() failed: {type(error).__name__}: {error}"
        raise PipelineError(msg) from None
    if not isinstance(document, dict):
        msg = f"{source}.openapi() returned {type(document).__name__}, not an OpenAPI document"
        raise PipelineError(msg)
    # Stable bytes for an unchanged document: the broker stores content once per SHA.
    content = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    return ProviderDocument(content.encode("utf-8"), JSON, source, document)


def _from_file(path: Path, spec: str) -> ProviderDocument:
    content = path.read_bytes()
    content_type = _SUFFIXES.get(path.suffix.lower())
    try:
        text = content.decode("utf-8")
        document = json.loads(text) if content_type == JSON else yaml.safe_load(text)
    except (UnicodeDecodeError, json.JSONDecodeError, yaml.YAMLError) as error:
        first = str(error).splitlines()[0] if str(error) else type(error).__name__
        msg = f"{spec} is not a readable OpenAPI document: {first}"
        raise PipelineError(msg) from None
    if not isinstance(document, dict):
        msg = f"{spec} is not an OpenAPI document (not a JSON or YAML object)"
        raise PipelineError(msg)
    if content_type is None:
        content_type = JSON if text.lstrip().startswith("{") else YAML
    return ProviderDocument(content, content_type, spec, document)


def check_document(document: ProviderDocument) -> None:
    """Fail unless the document is a valid OpenAPI (3.0, 3.1) or Swagger 2.0 document.

    Raises:
        PipelineError:
            Naming the first problem and where it is.
    """
    if not any(key in document.document for key in ("openapi", "swagger")):
        msg = f"{document.source} is not an OpenAPI document: it has no 'openapi' version field"
        raise PipelineError(msg)
    try:
        validate(document.document)
    except ValidatorDetectError:
        version = document.document.get("openapi", document.document.get("swagger"))
        msg = (
            f"{document.source} is OpenAPI {version}, which is not supported "
            "(OpenAPI 3.0, 3.1 and Swagger 2.0 are)"
        )
        raise PipelineError(msg) from None
    except OpenAPIValidationError as error:
        where = "/".join(str(part) for part in error.path)
        lines = str(error.message).splitlines()
        at = f" at {where}" if where else ""
        msg = f"{document.source} is not a valid OpenAPI document{at}: {lines[0] if lines else ''}"
        raise PipelineError(msg) from None
