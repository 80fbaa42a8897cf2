"""Collecting the findings about one interaction, with its details filled in once."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pact_pipeline.broker.bdct.findings import Finding, FindingType
from pact_pipeline.broker.bdct.operations import Operation
from pact_pipeline.broker.bdct.pacts import Interaction
from pact_pipeline.broker.bdct.pointers import dotted
from pact_pipeline.broker.bdct.validation import SchemaError

INCOMPATIBLE_VALUE = "Value is incompatible with the parameter defined in the spec file"


@dataclass
class Report:
    """The findings about one interaction once its operation is known."""

    interaction: Interaction
    operation: Operation
    findings: list[Finding] = field(default_factory=list)

    @property
    def valid_request(self) -> bool:
        """PactFlow checks a request's details only when the response is not an error
        (status < 400): a 4xx pact may well send what the spec forbids, on purpose."""
        return self.interaction.status < 400

    def add(
        self,
        kind: FindingType,
        code: str,
        message: str,
        where: str,
        spec: str | None,
        value: Any = None,
    ) -> None:
        """One finding; ``where`` is relative to the interaction (``request.query.id``)."""
        self.findings.append(
            Finding(
                code=code,
                message=message,
                type=kind,
                interaction=self.interaction.description,
                interaction_state=self.interaction.state,
                mock_location=f"[root].interactions[{self.interaction.index}].{where}",
                spec_location=spec,
                path_name=self.operation.path,
                path_method=self.operation.method,
                value=value,
            )
        )

    def schema_errors(
        self, code: str, prefix: str, where: str, spec: str, errors: list[SchemaError]
    ) -> None:
        """One error finding per schema error: ``prefix: <ajv message>``."""
        for error in errors:
            self.add(
                "error",
                code,
                f"{prefix}: {error.message}",
                dotted(where, error.path),
                dotted(spec, error.schema_path),
                error.value,
            )
