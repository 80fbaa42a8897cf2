"""A small, typed client for the Pact Broker HTTP API.

The client navigates the broker's HAL index (`GET /`, then relations such as
`pb:publish-contracts`, `pb:environments`, `pb:pacticipant-version`,
`pb:provider-pacts-for-verification`) instead of concatenating paths, so it works with
the OSS Pact Broker, PactFlow and the embedded broker alike, including brokers mounted
under a context path. The one exception is `/matrix`, which the broker does not link from
its index; it is resolved against the base URL exactly as the official `pact-broker` CLI
does.

Failures become one-line, typed errors (see [`pact_pipeline.errors`][pact_pipeline.errors]):

* [`BrokerUnreachable`][pact_pipeline.errors.BrokerUnreachable]: "cannot reach the Pact Broker
  at URL: connection refused" — after bounded retries with exponential backoff, because
  brokers restart and CI networks hiccup;
* [`BrokerAuthError`][pact_pipeline.errors.BrokerAuthError]: 401 (missing or wrong
  credentials) and 403 (read-only credentials);
* [`BrokerRequestError`][pact_pipeline.errors.BrokerRequestError]: any other 4xx with the
  broker's own `errors`/`error` text, and 5xx once the retries are used up.
"""

from __future__ import annotations

import re
import time
from typing import TYPE_CHECKING, Any, Self
from urllib.parse import quote, urljoin, urlsplit

import httpx

from pact_pipeline.errors import (
    BrokerAuthError,
    BrokerProtocolError,
    BrokerRequestError,
    BrokerUnreachable,
    ConfigurationError,
)
from pact_pipeline.settings import BrokerAuth

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping, Sequence
    from types import TracebackType

#: A decoded JSON object as the broker returns it.
JsonObject = dict[str, Any]

#: Query parameters in order; the broker's Rack-style `q[][...]` parsing depends on order.
QueryParams = list[tuple[str, str]]

_TEMPLATE_VARIABLE = re.compile(r"\{(\w+)\}")
_ERRNO_PREFIX = re.compile(r"^\[Errno -?\d+\]\s*")
_RETRYABLE_STATUSES = frozenset({429, 500, 502, 503, 504})
_USER_AGENT = "pact-pipeline/0.1 (+tasks.py)"


class BrokerClient:
    """A client for one Pact Broker.

    Use it as a context manager so the connection pool is closed:

        with BrokerClient("http://127.0.0.1:9292") as broker:
            broker.environments()
    """

    def __init__(
        self,
        base_url: str,
        *,
        auth: BrokerAuth | None = None,
        attempts: int = 4,
        backoff: float = 0.5,
        timeout: float = 15.0,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
        on_retry: Callable[[str], None] | None = None,
    ) -> None:
        """Create the client; nothing is sent until the first call.

        Args:
            base_url:
                The broker's base URL (may include a context path).

            auth:
                Credentials: a bearer token, or basic auth.

            attempts:
                How many times a request is tried on connection errors and 5xx/429.

            backoff:
                Seconds before the first retry; doubled for each further one.

            timeout:
                Seconds to wait for a connection or an answer.

            transport:
                An httpx transport, to simulate failures in tests.

            sleep:
                The sleep function, injectable so tests do not wait.

            on_retry:
                Called with a one-line message before each retry.

        Raises:
            ConfigurationError:
                If both a token and basic-auth credentials are given.
        """
        credentials = auth or BrokerAuth()
        if credentials.token and (credentials.username or credentials.password):
            msg = "set either PACT_BROKER_TOKEN or PACT_BROKER_USERNAME/PASSWORD, not both"
            raise ConfigurationError(msg)
        self._base_url = base_url.rstrip("/")
        self._auth = credentials
        self._attempts = max(1, attempts)
        self._backoff = backoff
        self._sleep = sleep
        self._on_retry = on_retry
        self._index: JsonObject | None = None
        headers = {"Accept": "application/hal+json, application/json", "User-Agent": _USER_AGENT}
        if credentials.token:
            headers["Authorization"] = f"Bearer {credentials.token}"
        self._http = httpx.Client(
            headers=headers,
            auth=(
                httpx.BasicAuth(credentials.username or "", credentials.password or "")
                if credentials.username or credentials.password
                else None
            ),
            timeout=timeout,
            transport=transport,
        )

    @property
    def base_url(self) -> str:
        """The broker's base URL, without a trailing slash."""
        return self._base_url

    @property
    def auth(self) -> BrokerAuth:
        """The credentials this client sends (the verifier must send the same)."""
        return self._auth

    def close(self) -> None:
        """Close the connection pool."""
        self._http.close()

    def __enter__(self) -> Self:
        """Return the client itself."""
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        """Close the client."""
        self.close()

    # -- HAL navigation ---------------------------------------------------------------

    def index(self) -> JsonObject:
        """Return the broker's index resource (`GET /`), fetched once per client."""
        if self._index is None:
            self._index = self.get(self._base_url + "/", action="read the index")
            if not isinstance(self._index.get("_links"), dict):
                msg = (
                    f"{self._base_url} answered GET / without HAL links: "
                    "is PACT_BROKER_BASE_URL a Pact Broker?"
                )
                raise BrokerProtocolError(msg)
        return self._index

    def href(self, relation: str, **variables: str) -> str:
        """Return the URL of an index relation, expanding `{variables}` if it is templated.

        Args:
            relation:
                The relation name, e.g. `pb:environments`.

            **variables:
                Values for the template variables, e.g. `pacticipant="Foo"`.

        Returns:
            The absolute URL.

        Raises:
            BrokerProtocolError:
                If the index has no such relation.
        """
        return self._expand(link_href(self.index(), relation, where=self._base_url), variables)

    def _expand(self, href: str, variables: Mapping[str, str]) -> str:
        def substitute(match: re.Match[str]) -> str:
            # Percent-encode everything (like the Rust clients do), so a branch such as
            # `feature/x` stays one path segment.
            return quote(variables[match.group(1)], safe="")

        return urljoin(self._base_url + "/", _TEMPLATE_VARIABLE.sub(substitute, href))

    # -- HTTP verbs -------------------------------------------------------------------

    def get(self, url: str, *, action: str, params: QueryParams | None = None) -> JsonObject:
        """GET a resource and return its JSON body.

        Args:
            url:
                An absolute URL (normally a HAL href).

            action:
                What the request is for, in words, used in error messages
                ("read the matrix").

            params:
                Query parameters, in order.

        Returns:
            The decoded JSON object.
        """
        return _json_object(self._send("GET", url, action=action, params=params), self._base_url)

    def get_optional(self, url: str, *, action: str) -> JsonObject | None:
        """Like [`get`][pact_pipeline.broker_client.BrokerClient.get], but `None` on 404."""
        try:
            return self.get(url, action=action)
        except BrokerRequestError as error:
            if error.status == httpx.codes.NOT_FOUND:
                return None
            raise

    def post(self, url: str, body: Mapping[str, Any], *, action: str) -> JsonObject:
        """POST a JSON body and return the JSON answer.

        Args:
            url:
                An absolute URL (normally a HAL href).

            body:
                The JSON body.

            action:
                What the request is for, in words, for error messages.

        Returns:
            The decoded JSON object.
        """
        response = self._send("POST", url, action=action, json=dict(body))
        return _json_object(response, self._base_url)

    def put(self, url: str, body: Mapping[str, Any], *, action: str) -> JsonObject:
        """PUT a JSON body and return the JSON answer (see `post`)."""
        response = self._send("PUT", url, action=action, json=dict(body))
        return _json_object(response, self._base_url)

    def _send(
        self,
        method: str,
        url: str,
        *,
        action: str,
        params: QueryParams | None = None,
        json: JsonObject | None = None,
    ) -> httpx.Response:
        """Send a request with bounded retries and map failures to one-line errors."""
        for attempt in range(1, self._attempts + 1):
            last_try = attempt == self._attempts
            try:
                response = self._http.request(
                    method, url, params=tuple(params) if params else None, json=json
                )
            except httpx.TransportError as error:
                if last_try:
                    msg = f"cannot reach the Pact Broker at {self._base_url}: {_describe(error)}"
                    raise BrokerUnreachable(msg) from None
                self._wait_before_retry(attempt, f"{_describe(error)} ({method} {url})")
                continue
            if response.status_code in _RETRYABLE_STATUSES and not last_try:
                self._wait_before_retry(attempt, f"{response.status_code} ({method} {url})")
                continue
            if response.is_success:
                return response
            raise self._error_for(response, action=action, attempts=attempt)
        msg = "unreachable: the retry loop always returns or raises"  # pragma: no cover
        raise AssertionError(msg)  # pragma: no cover

    def _wait_before_retry(self, attempt: int, reason: str) -> None:
        delay = self._backoff * 2 ** (attempt - 1)
        if self._on_retry is not None:
            self._on_retry(
                f"Pact Broker request failed: {reason}; retrying in {delay:.1f}s "
                f"(attempt {attempt + 1}/{self._attempts})"
            )
        self._sleep(delay)

    def _error_for(self, response: httpx.Response, *, action: str, attempts: int) -> Exception:
        status = response.status_code
        request = f"{response.request.method} {urlsplit(str(response.request.url)).path}"
        if status == httpx.codes.UNAUTHORIZED:
            verb = "rejected the credentials" if self._auth.is_set else "requires credentials"
            return BrokerAuthError(
                f"the Pact Broker at {self._base_url} {verb} (401): "
                "set PACT_BROKER_TOKEN or PACT_BROKER_USERNAME/PASSWORD"
            )
        if status == httpx.codes.FORBIDDEN:
            return BrokerAuthError(
                f"the Pact Broker at {self._base_url} refused {request} (403): the credentials "
                f"are read-only / not allowed to {action}"
            )
        detail = error_detail(response)
        if status >= httpx.codes.INTERNAL_SERVER_ERROR or status == httpx.codes.TOO_MANY_REQUESTS:
            tries = f" after {attempts} attempts" if attempts > 1 else ""
            return BrokerRequestError(
                f"the Pact Broker at {self._base_url} failed to {action} ({status} on "
                f"{request}{tries}){': ' + detail if detail else ''}",
                status=status,
                detail=detail,
            )
        return BrokerRequestError(
            f"the Pact Broker refused to {action} ({status} on {request})"
            f"{': ' + detail if detail else ''}",
            status=status,
            detail=detail,
        )

    # -- Broker operations ------------------------------------------------------------

    def publish_contracts(self, body: Mapping[str, Any]) -> JsonObject:
        """Publish pacts for one consumer version (`POST pb:publish-contracts`).

        Args:
            body:
                The publish-contracts request (pacticipant, version, branch, contracts…).

        Returns:
            The broker's answer, with `notices` for the user.
        """
        return self.post(self.href("pb:publish-contracts"), body, action="publish contracts")

    def pacts_for_verification(self, provider: str, body: Mapping[str, Any]) -> list[JsonObject]:
        """Ask which pacts the provider must verify (`POST pb:provider-pacts-for-verification`).

        Args:
            provider:
                The provider's name.

            body:
                Selectors, pending/WIP options and the provider branch.

        Returns:
            The selected pacts (`_embedded.pacts`), possibly empty; an unknown provider
            (404) has, by definition, no pacts to verify.
        """
        url = self.href("pb:provider-pacts-for-verification", provider=provider)
        try:
            answer = self.post(url, body, action="select pacts for verification")
        except BrokerRequestError as error:
            if error.status == httpx.codes.NOT_FOUND:
                return []
            raise
        pacts = answer.get("_embedded", {}).get("pacts", [])
        return [pact for pact in pacts if isinstance(pact, dict)]

    def environments(self) -> list[JsonObject]:
        """List the broker's environments (`GET pb:environments`)."""
        answer = self.get(self.href("pb:environments"), action="list environments")
        environments = answer.get("_embedded", {}).get("environments", [])
        return [environment for environment in environments if isinstance(environment, dict)]

    def find_environment(self, name: str) -> JsonObject | None:
        """Return the environment called `name`, or `None`."""
        return next((env for env in self.environments() if env.get("name") == name), None)

    def ensure_environment(self, name: str, *, production: bool) -> JsonObject:
        """Return the environment called `name`, creating it first if needed (idempotent).

        Args:
            name:
                The environment's name (no spaces).

            production:
                Whether it is a production environment.

        Returns:
            The environment resource.
        """
        existing = self.find_environment(name)
        if existing is not None:
            return existing
        body = {"name": name, "displayName": name.capitalize(), "production": production}
        try:
            return self.post(self.href("pb:environments"), body, action="create environments")
        except BrokerRequestError as error:
            # Another pipeline may have created it between our GET and POST.
            created = self.find_environment(name)
            if created is None:
                raise error from None
            return created

    def version(self, pacticipant: str, version: str) -> JsonObject | None:
        """Return a pacticipant version resource (`pb:pacticipant-version`), or `None`."""
        url = self.href("pb:pacticipant-version", pacticipant=pacticipant, version=version)
        return self.get_optional(url, action=f"read version {version} of {pacticipant}")

    def record_branch_version(self, pacticipant: str, branch: str, version: str) -> JsonObject:
        """Record `version` of `pacticipant` on `branch`, creating both if need be.

        This is how a provider's first build, with no pact to verify, still leaves its
        version in the broker, so can-i-deploy can answer for it (`pb:pacticipant-branch-version`).

        Args:
            pacticipant:
                The pacticipant's name.

            branch:
                The branch.

            version:
                The version number.

        Returns:
            The branch version resource.
        """
        url = self.href(
            "pb:pacticipant-branch-version", pacticipant=pacticipant, branch=branch, version=version
        )
        return self.put(url, {}, action=f"record {pacticipant} {version} on branch {branch}")

    def record_deployment(self, version_resource: JsonObject, environment: str) -> JsonObject:
        """Record a deployment via the version's `pb:record-deployment` link for `environment`.

        Args:
            version_resource:
                The version resource (see
                [`version`][pact_pipeline.broker_client.BrokerClient.version]).

            environment:
                The environment's name.

        Returns:
            The deployed-version resource.

        Raises:
            BrokerProtocolError:
                If the version offers no deployment link for that environment.
        """
        links = version_resource.get("_links", {}).get("pb:record-deployment", [])
        candidates = links if isinstance(links, list) else [links]
        href = next(
            (
                link.get("href")
                for link in candidates
                if isinstance(link, dict) and link.get("name") == environment
            ),
            None,
        )
        if not isinstance(href, str):
            msg = (
                f"the Pact Broker offers no way to record a deployment to '{environment}' "
                f"(does the environment exist?)"
            )
            raise BrokerProtocolError(msg)
        return self.post(urljoin(self._base_url + "/", href), {}, action="record deployments")

    def matrix(self, pacticipant: str, version: str, environment: str) -> JsonObject:
        """Ask whether `pacticipant` at `version` can be deployed to `environment`.

        This is the query `pact-broker can-i-deploy --to-environment` sends:
        `GET /matrix?q[][pacticipant]=P&q[][version]=V&latestby=cvpv&environment=E`.

        Args:
            pacticipant:
                The pacticipant's name.

            version:
                Its version number.

            environment:
                The target environment.

        Returns:
            The matrix (`summary`, `matrix` rows, `notices`).
        """
        params: QueryParams = [
            ("q[][pacticipant]", pacticipant),
            ("q[][version]", version),
            ("latestby", "cvpv"),
            ("environment", environment),
        ]
        return self.get(self._base_url + "/matrix", action="read the matrix", params=params)

    def currently_in_environment(self, environment: str, pacticipant: str) -> list[str]:
        """Return the versions of `pacticipant` deployed or released (and supported) in it.

        Args:
            environment:
                The environment's name.

            pacticipant:
                The pacticipant's name.

        Returns:
            Version numbers; empty if none, or if the environment does not exist.
        """
        found = self.find_environment(environment)
        if found is None:
            return []
        resource = self.get(
            link_href(found, "self", where=self._base_url), action="read the environment"
        )
        versions: list[str] = []
        for relation, embedded in (
            ("pb:currently-deployed-deployed-versions", "deployedVersions"),
            ("pb:currently-supported-released-versions", "releasedVersions"),
        ):
            if relation not in resource.get("_links", {}):
                continue
            url = urljoin(self._base_url + "/", link_href(resource, relation, where="environment"))
            listing = self.get(
                url, action="read deployed versions", params=[("pacticipant", pacticipant)]
            )
            versions.extend(_version_numbers(listing.get("_embedded", {}).get(embedded, [])))
        return versions

    def latest_verification(self, pact_url: str) -> JsonObject | None:
        """Return the latest verification result of a pact's content, or `None` if none.

        Args:
            pact_url:
                The pact's URL (e.g. a `_links.self.href` from pacts-for-verification).

        Returns:
            The verification result resource (`providerApplicationVersion`, `success`, …).
        """
        pact = self.get(pact_url, action="read the pact")
        links = pact.get("_links", {})
        if "pb:latest-verification-results" not in links:
            return None
        url = urljoin(
            self._base_url + "/", link_href(pact, "pb:latest-verification-results", where="pact")
        )
        return self.get_optional(url, action="read verification results")


def link_href(resource: Mapping[str, Any], relation: str, *, where: str) -> str:
    """Return `_links[relation].href` of a HAL resource.

    Args:
        resource:
            A HAL resource.

        relation:
            The relation name.

        where:
            Where the resource came from, for the error message.

    Returns:
        The (possibly templated) href.

    Raises:
        BrokerProtocolError:
            If the relation is missing or malformed.
    """
    link = resource.get("_links", {}).get(relation)
    href = link.get("href") if isinstance(link, dict) else None
    if not isinstance(href, str):
        msg = f"the Pact Broker at {where} offers no '{relation}' link (is it a Pact Broker?)"
        raise BrokerProtocolError(msg)
    return href


def error_detail(response: httpx.Response) -> str:
    """Extract the broker's explanation from an error response, as one line.

    The broker answers `{"errors": {"field": ["message"]}}` for validation failures,
    `{"errors": ["message"]}` for matrix queries, `{"error": "message"}` otherwise, and may
    add `notices` of type `error`.

    Args:
        response:
            The error response.

    Returns:
        The messages joined with "; ", or a shortened body when it is not JSON.
    """
    try:
        body = response.json()
    except ValueError:
        text = " ".join(response.text.split())
        return text[:200]
    if not isinstance(body, dict):
        return " ".join(str(body).split())[:200]
    messages: list[str] = []
    messages.extend(_flatten_errors(body.get("errors")))
    error = body.get("error")
    if isinstance(error, str):
        messages.append(error)
    elif isinstance(error, dict) and isinstance(error.get("message"), str):
        messages.append(error["message"])
    for notice in body.get("notices", []) or []:
        if isinstance(notice, dict) and notice.get("type") == "error":
            text = str(notice.get("text", ""))
            if text and text not in messages:
                messages.append(text)
    return "; ".join(" ".join(message.split()) for message in _unique(messages))


def _flatten_errors(errors: Any) -> list[str]:
    if isinstance(errors, str):
        return [errors]
    if isinstance(errors, list):
        return [message for item in errors for message in _flatten_errors(item)]
    if isinstance(errors, dict):
        return [
            f"{field}: {message}"
            for field, value in errors.items()
            for message in _flatten_errors(value)
        ]
    return []


def _unique(messages: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(messages))


def _version_numbers(entries: Sequence[Any]) -> list[str]:
    numbers = []
    for entry in entries:
        version = entry.get("_embedded", {}).get("version", {}) if isinstance(entry, dict) else {}
        number = version.get("number") if isinstance(version, dict) else None
        if isinstance(number, str):
            numbers.append(number)
    return numbers


def _json_object(response: httpx.Response, base_url: str) -> JsonObject:
    try:
        body = response.json()
    except ValueError:
        body = None
    if not isinstance(body, dict):
        content_type = response.headers.get("content-type", "no content type")
        msg = (
            f"{base_url} answered {response.request.method} "
            f"{urlsplit(str(response.request.url)).path} with {content_type}, not a JSON "
            "object: is PACT_BROKER_BASE_URL a Pact Broker?"
        )
        raise BrokerProtocolError(msg)
    return body


def _describe(error: httpx.TransportError) -> str:
    if isinstance(error, httpx.TimeoutException):
        return "timed out"
    text = _ERRNO_PREFIX.sub("", str(error)).strip()
    return text[:1].lower() + text[1:] if text else type(error).__name__
