"""The pipeline's error hierarchy.

Every failure a user can cause or fix (a broker that is down, wrong credentials, no pact
files, a verification that failed, a "no" from can-i-deploy) is a
[`PipelineError`][pact_pipeline.errors.PipelineError] whose message is one line that says what
went wrong and what to do. `tasks.py` turns these into `invoke.Exit(message, code=1)`, so
users never see a traceback for an expected failure.
"""

from __future__ import annotations


class PipelineError(Exception):
    """A failure of a pipeline stage, with a one-line message meant for the user."""


class ConfigurationError(PipelineError):
    """The pipeline settings are invalid (a bad number, an unknown environment, …)."""


class BrokerError(PipelineError):
    """Talking to the Pact Broker failed."""


class BrokerUnreachable(BrokerError):
    """The broker could not be reached (connection refused, DNS failure, timeout)."""


class BrokerAuthError(BrokerError):
    """The broker answered 401 (no or wrong credentials) or 403 (not allowed)."""


class BrokerRequestError(BrokerError):
    """The broker rejected a request (4xx) or kept failing (5xx).

    Attributes:
        status:
            The HTTP status code of the last response.

        detail:
            The broker's own explanation (its `errors`/`error` text), possibly empty.
    """

    def __init__(self, message: str, *, status: int, detail: str = "") -> None:
        """Create the error.

        Args:
            message:
                The one-line message for the user.

            status:
                The HTTP status code the broker answered with.

            detail:
                The broker's own explanation.
        """
        super().__init__(message)
        self.status = status
        self.detail = detail


class BrokerProtocolError(BrokerError):
    """The broker answered with something that is not the expected HAL/JSON."""


class EmbeddedBrokerError(PipelineError):
    """The embedded broker could not be started or stopped."""


class StageFailed(PipelineError):
    """A stage ran but its outcome is a failure (tests failed, verification failed, …)."""


class NotDeployable(StageFailed):
    """can-i-deploy answered "no" (or still "unknown" after the retries)."""


class BrokerFeatureMissing(BrokerError):
    """The broker lacks a feature a task needs (an OSS Pact Broker and provider contracts)."""
