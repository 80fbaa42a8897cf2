"""Running pact's verifier against a provider that a provider adapter serves.

A repository's provider is plugged in by an *adapter*: a function, named in the configuration
as `module:function` (`pipeline.provider.adapter`), that returns a context manager serving the
provider's app in this process and yielding a
[`ServedProvider`][pact_pipeline.verifier.ServedProvider]: its base URL and its provider-state
handlers. Everything else — building the `Verifier`, the
host it must share with the transport, colours, the state callbacks' noise, running it — is
done here, once, for every caller (the verify stage, `ci-webhook`, a provider's own tests).
"""

from __future__ import annotations

import contextlib
import importlib
import io
import re
import sys
from collections.abc import Callable
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, Protocol
from urllib.parse import urlsplit

from pact_pipeline.errors import ConfigurationError
from pact_pipeline.output import colour_wanted

if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping

    from pact import Verifier

StateAction = Literal["setup", "teardown"]


class StateHandler(Protocol):
    """A provider-state handler, as pact-python 4 calls one from a dict of states.

    pact-python passes the arguments **by name**, so they must be called `action` and
    `parameters`.
    """

    def __call__(self, action: StateAction, parameters: dict[str, Any] | None) -> None:
        """Set up (`action == "setup"`) or tear down the state."""


@dataclass(frozen=True)
class ServedProvider:
    """A provider being served for verification.

    Attributes:
        base_url:
            Where the app answers, e.g. `http://127.0.0.1:54321`.

        state_handlers:
            `{provider state: handler}`; a state missing here fails the interactions that
            use it, which is what should happen when a consumer relies on a state the
            provider does not know.

        headers:
            Headers a client must send to be let in (credentials), for tests that bring
            none of their own: the provider contract's self-verification sends them with
            every request. Pact verification does not (each interaction has its own).
    """

    base_url: str
    state_handlers: Mapping[str, StateHandler]
    headers: Mapping[str, str] = field(default_factory=dict)


#: What `pipeline.provider.adapter` names: a function returning a context manager that
#: serves the provider while the block runs.
ProviderAdapter = Callable[[], AbstractContextManager[ServedProvider]]


def load_adapter(spec: str) -> ProviderAdapter:
    """Import the provider adapter `module:function`.

    Args:
        spec:
            E.g. `provider.verification:served_for_verification`.

    Returns:
        The adapter.

    Raises:
        ConfigurationError:
            If `spec` is not `module:function`, or the module or function cannot be loaded.
    """
    module_name, _, function_name = spec.partition(":")
    if not module_name or not function_name.isidentifier():
        msg = f"pipeline.provider.adapter must be 'module:function', got {spec!r}"
        raise ConfigurationError(msg)
    try:
        module = importlib.import_module(module_name)
    except ImportError as error:
        msg = f"cannot import the provider adapter {spec!r}: {error}"
        raise ConfigurationError(msg) from None
    adapter = getattr(module, function_name, None)
    if not callable(adapter):
        msg = f"the provider adapter {spec!r} is not a function in {module_name}"
        raise ConfigurationError(msg)
    loaded: ProviderAdapter = adapter
    return loaded


def make_verifier(name: str, provider: ServedProvider) -> Verifier:
    """Create a verifier for a served provider, with its state handlers.

    Add the pacts to check (`add_source` or `broker_source`) and, to publish, the publishing
    options; then [`run`][pact_pipeline.verifier.run] it.

    Args:
        name:
            The provider's name, as the pacts have it.

        provider:
            The served provider.

    Returns:
        The verifier. Its host is the base URL's, because pact-python rejects a transport
        whose host differs from the verifier's.

    Raises:
        ConfigurationError:
            If the base URL has no host.
    """
    from pact import Verifier  # imported here: pact's FFI is only needed to verify

    host = urlsplit(provider.base_url).hostname
    if not host:
        msg = f"the provider adapter served {name} at {provider.base_url!r}, which has no host"
        raise ConfigurationError(msg)
    verifier = (
        Verifier(name, host=host)
        .add_transport(url=provider.base_url)
        .state_handler(dict(provider.state_handlers), teardown=True)
    )
    return verifier.set_coloured_output(enabled=colour_wanted())


@dataclass(frozen=True)
class VerifierRun:
    """What one run of the verifier produced.

    Attributes:
        passed:
            Whether it succeeded (failures of pending pacts do not count).

        results:
            Its JSON results (`Verifier.results`), one entry per interaction.
    """

    passed: bool
    results: dict[str, Any]


def run(verifier: Verifier) -> VerifierRun:
    """Run the verifier; a failed verification is returned, not raised.

    Args:
        verifier:
            A verifier with its sources.

    Returns:
        Whether it passed, and its results.
    """
    # The verifier's report is printed by the Rust core straight to file descriptor 1:
    # flush ours first so the two do not interleave.
    sys.stdout.flush()
    with quiet_state_callbacks():
        try:
            verifier.verify()
        except RuntimeError:
            passed = False
        else:
            passed = True
    sys.stdout.flush()
    return VerifierRun(passed=passed, results=dict(verifier.results))


#: An access-log line of pact-python's provider-state callback server
#: (`127.0.0.1 - - [date] "POST /_pact/state HTTP/1.1" 200 -`), one per interaction.
_CALLBACK_ACCESS_LOG = re.compile(r'^\S+ - - \[[^\]]*\] "[A-Z]+ /_pact/[^"]*" \d+')


@contextmanager
def quiet_state_callbacks() -> Iterator[None]:
    """Drop the state-callback server's access log; let any other stderr output through.

    pact-python's callback server logs every provider-state call to stderr, which buries
    the verifier's report in noise. Only those lines are dropped: a state handler's
    traceback or a warning still reaches the user, after the verifier has run.

    Yields:
        Nothing; run the verifier inside the `with` block.
    """
    captured = io.StringIO()
    with contextlib.redirect_stderr(captured):
        yield
    kept = [
        line
        for line in captured.getvalue().splitlines(keepends=True)
        if not _CALLBACK_ACCESS_LOG.match(line)
    ]
    sys.stderr.write("".join(kept))
