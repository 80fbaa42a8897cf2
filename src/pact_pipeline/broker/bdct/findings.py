"""What a comparison reports: findings in PactFlow's shape, and their JSON form.

A finding carries PactFlow's code and wording, where in the pact it was found (the mock
location, ``[root].interactions[0].response.body.colour``) and where in the OpenAPI document
the rule came from (the spec location). The JSON form is PactFlow's camelCase result
(``mockDetails``/``specDetails``), so clients that read PactFlow's results can read ours.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, cast

FindingType = Literal["error", "warning"]


@dataclass(frozen=True)
class Finding:
    """One problem (error) or remark (warning) about one interaction of a pact."""

    code: str
    message: str
    type: FindingType
    interaction: str
    interaction_state: str
    mock_location: str
    spec_location: str | None
    path_name: str | None
    path_method: str | None
    value: Any = None


def _errors_first(findings: tuple[Finding, ...]) -> tuple[Finding, ...]:
    """Errors, then warnings, each in the order found: the JSON form lists them apart, so
    this is the only order that survives a round trip."""
    return tuple(f for f in findings if f.type == "error") + tuple(
        f for f in findings if f.type != "error"
    )


@dataclass(frozen=True)
class Comparison:
    """The outcome of comparing one pact with one provider contract."""

    findings: tuple[Finding, ...] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        object.__setattr__(self, "findings", _errors_first(tuple(self.findings)))

    @property
    def errors(self) -> tuple[Finding, ...]:
        """The findings that make the pact incompatible."""
        return tuple(f for f in self.findings if f.type == "error")

    @property
    def warnings(self) -> tuple[Finding, ...]:
        """The findings that do not fail the comparison."""
        return tuple(f for f in self.findings if f.type == "warning")

    @property
    def success(self) -> bool:
        """True when there is no error (warnings do not fail, as on PactFlow)."""
        return not self.errors

    def summary(self) -> str:
        """One line: ``compatible``, or the error count, the first error and where it is."""
        errors = self.errors
        if not errors:
            return "compatible"
        first = errors[0]
        count = f"{len(errors)} error{'s' if len(errors) != 1 else ''}"
        where = f" (interaction '{first.interaction}')" if first.interaction else ""
        return f"{count}: {first.message}{_field_hint(first)}{where}"


def _field_hint(finding: Finding) -> str:
    """`` at response.body.price`` unless the message already names the field."""
    location = finding.mock_location
    prefix_end = location.find("].", location.find("interactions["))
    relative = location[prefix_end + 2 :] if prefix_end >= 0 else location
    last = relative.rsplit(".", 1)[-1]
    if not relative or relative == "[root]" or finding.message.endswith(f" - {last}"):
        return ""
    return f" at {relative}"


def finding_to_json(finding: Finding) -> dict[str, Any]:
    """One finding as PactFlow's result object."""
    return {
        "code": finding.code,
        "message": finding.message,
        "type": finding.type,
        "mockDetails": {
            "interactionDescription": finding.interaction,
            "interactionState": finding.interaction_state,
            "location": finding.mock_location,
            "value": finding.value,
        },
        "specDetails": {
            "location": finding.spec_location,
            "pathMethod": finding.path_method,
            "pathName": finding.path_name,
        },
    }


def finding_from_json(data: Mapping[str, Any]) -> Finding:
    """The inverse of [`finding_to_json`][]."""
    mock = data.get("mockDetails") or {}
    spec = data.get("specDetails") or {}
    kind = data.get("type")
    return Finding(
        code=str(data.get("code", "")),
        message=str(data.get("message", "")),
        type=cast(FindingType, kind if kind in ("error", "warning") else "error"),
        interaction=str(mock.get("interactionDescription", "")),
        interaction_state=str(mock.get("interactionState", "[none]")),
        mock_location=str(mock.get("location", "[root]")),
        spec_location=spec.get("location"),
        path_name=spec.get("pathName"),
        path_method=spec.get("pathMethod"),
        value=mock.get("value"),
    )


def comparison_to_json(comparison: Comparison) -> dict[str, Any]:
    """``{"success": …, "errors": […], "warnings": […]}``, findings in PactFlow's camelCase."""
    return {
        "success": comparison.success,
        "errors": [finding_to_json(f) for f in comparison.errors],
        "warnings": [finding_to_json(f) for f in comparison.warnings],
    }


def comparison_from_json(data: Mapping[str, Any]) -> Comparison:
    """The inverse of [`comparison_to_json`][]: an exact round trip."""
    findings = [finding_from_json(f) for f in data.get("errors") or ()]
    findings += [finding_from_json(f) for f in data.get("warnings") or ()]
    return Comparison(tuple(findings))
