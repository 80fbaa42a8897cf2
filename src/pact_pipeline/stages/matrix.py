"""The broker's answer to a can-i-deploy query, as typed values.

[`parse_matrix`][pact_pipeline.stages.matrix.parse_matrix] reads the JSON of
`GET /matrix?q[][pacticipant]=P&q[][version]=V&latestby=cvpv&environment=E` (what
`pact-broker can-i-deploy --to-environment` sends); missing fields read as unknown, so an
answer from any Pact Broker (ours, the OSS one, PactFlow) parses. PactFlow's `verificationType`
(`CDCT`: the provider ran the pact; `BDCT`: the pact was compared with the provider's OpenAPI)
is kept when present.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Mapping

#: `verificationType` of a row whose pact was compared with a provider contract (PactFlow's).
BDCT = "BDCT"
#: `verificationType` of a row whose pact the provider ran.
CDCT = "CDCT"


@dataclass(frozen=True)
class Target:
    """A pacticipant version that wants to be deployed.

    Attributes:
        pacticipant:
            The pacticipant's name.

        version:
            Its version number.
    """

    pacticipant: str
    version: str

    def __str__(self) -> str:
        """Render as "Name version"."""
        return f"{self.pacticipant} {self.version}"


@dataclass(frozen=True)
class MatrixRow:
    """One row of the matrix: a pact between two versions and its verification, if any.

    Attributes:
        consumer:
            The consumer's name.

        consumer_version:
            The consumer version whose pact this is.

        provider:
            The provider's name.

        provider_version:
            The provider version that verified it (`None`: no matching verification).

        verified:
            The verification's success, or `None` when not verified.

        verification_url:
            Where the verification result lives.

        pact_url:
            Where the pact lives.

        verification_type:
            PactFlow's `verificationType`: `CDCT` when the provider ran the pact, `BDCT`
            when the broker compared the pact with the provider's contract (its OpenAPI
            document, self-verified: bi-directional), `None` when there is no result or the
            broker does not say (an OSS Pact Broker: the provider ran the pact).
    """

    consumer: str
    consumer_version: str | None
    provider: str
    provider_version: str | None
    verified: bool | None
    verification_url: str | None = None
    pact_url: str | None = None
    verification_type: str | None = None

    @property
    def compared(self) -> bool:
        """Whether the answer comes from comparing the pact with a provider contract (BDCT)."""
        return self.verification_type == BDCT


@dataclass(frozen=True)
class MatrixAnswer:
    """The broker's answer to a can-i-deploy query.

    Attributes:
        deployable:
            `True`, `False`, or `None` (unknown: something is not verified yet).

        reasons:
            The broker's reasons, one per line.

        rows:
            The matrix rows.
    """

    deployable: bool | None
    reasons: tuple[str, ...]
    rows: tuple[MatrixRow, ...]


def parse_matrix(body: Mapping[str, Any]) -> MatrixAnswer:
    """Turn the broker's `/matrix` JSON into a
    [`MatrixAnswer`][pact_pipeline.stages.can_i_deploy.MatrixAnswer].

    Args:
        body:
            The decoded JSON.

    Returns:
        The answer; missing fields read as unknown/empty.
    """
    summary = body.get("summary") if isinstance(body.get("summary"), dict) else {}
    deployable = summary.get("deployable") if summary else None
    reason = summary.get("reason") if summary else None
    reasons = tuple(line.strip() for line in str(reason or "").splitlines() if line.strip())
    rows = tuple(_parse_row(row) for row in body.get("matrix") or [] if isinstance(row, dict))
    return MatrixAnswer(
        deployable=deployable if isinstance(deployable, bool) else None,
        reasons=reasons,
        rows=rows,
    )


def _parse_row(row: Mapping[str, Any]) -> MatrixRow:
    consumer = _dict(row.get("consumer"))
    provider = _dict(row.get("provider"))
    verification = _dict(row.get("verificationResult"))
    success = verification.get("success")
    kind = row.get("verificationType")
    return MatrixRow(
        consumer=str(consumer.get("name", "?")),
        consumer_version=_version_number(consumer),
        provider=str(provider.get("name", "?")),
        provider_version=_version_number(provider),
        verified=success if isinstance(success, bool) else None,
        verification_url=_self_href(verification),
        pact_url=_self_href(_dict(row.get("pact"))),
        verification_type=kind.upper() if isinstance(kind, str) and kind else None,
    )


def _dict(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, dict) else {}


def _version_number(party: Mapping[str, Any]) -> str | None:
    number = _dict(party.get("version")).get("number")
    return number if isinstance(number, str) else None


def _self_href(resource: Mapping[str, Any]) -> str | None:
    href = _dict(_dict(resource.get("_links")).get("self")).get("href")
    return href if isinstance(href, str) else None
