"""The can-i-deploy decision, as pure functions over resolved selectors and matrix rows.

The repository resolves selectors to versions and loads pact publications and verifications;
everything that decides *what the answer is and why* lives here, free of the database, so that
every rule of the Ruby broker's matrix (see ``reference/broker-api.md`` §4) has a unit test.

:mod:`.selectors` resolves nothing itself but describes resolved selectors; :mod:`.rows` builds
and narrows the rows; :mod:`.summary` decides and explains.

Version ids stand in for the broker's version ``order`` and creation dates: all pacticipants'
versions live in one table whose ids grow with creation, so a larger id is a newer version.
"""

from __future__ import annotations

from pact_pipeline.broker.matrix.rows import (
    LatestBy,
    Publication,
    Row,
    VerificationRef,
    apply_latest_by,
    build_rows,
    filter_success,
    mark_ignored,
)
from pact_pipeline.broker.matrix.selectors import ResolvedSelector
from pact_pipeline.broker.matrix.summary import (
    NO_ENVIRONMENT_WARNING,
    NO_VERSION_WARNING,
    DeploymentStatus,
    Integration,
    Reason,
    ReasonCode,
    selector_warnings,
    summarize,
)

__all__ = [
    "NO_ENVIRONMENT_WARNING",
    "NO_VERSION_WARNING",
    "DeploymentStatus",
    "Integration",
    "LatestBy",
    "Publication",
    "Reason",
    "ReasonCode",
    "ResolvedSelector",
    "Row",
    "VerificationRef",
    "apply_latest_by",
    "build_rows",
    "filter_success",
    "mark_ignored",
    "selector_warnings",
    "summarize",
]
