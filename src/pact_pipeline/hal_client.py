"""The HTTP side of talking to a Pact Broker: HAL navigation, bounded retries, one-line errors.

[`HalClient`][pact_pipeline.hal_client.HalClient] navigates a broker's HAL index (`GET /`,
then relations) instead of concatenating paths, so it works with the OSS Pact Broker,
PactFlow and the embedded broker alike, including brokers mounted under a context path;
[`BrokerClient`][pact_pipeline.broker_client.BrokerClient] adds the Pact Broker's operations.

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
from pact_pipeline.hal import JsonObject, describe, error_detail, json_object, link_href
from pact_pipeline.settings import BrokerAuth

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

#: Query parameters in order; the broker's Rack-style `q[][...]` parsing depends on order.
QueryParams = list[tuple[str, str]]

_TEMPLATE_VARIABLE = re.compile(r"\{(\w+)\}")
_RETRYABLE_STATUSES = frozenset({429, 500, 502, 503, 504})
_USER_AGENT = "pact-pipeline/0.1 (+tasks.py)"


class HalClient:
    """HTTP to one Pact Broker: its HAL index, the verbs, retries and errors."""

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
        self._http = _http_client(credentials, timeout=timeout, transport=transport)

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

    def __exit__(self, *_exception: object) -> None:
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
        return json_object(self._send("GET", url, action=action, params=params), self._base_url)

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
        return json_object(response, self._base_url)

    def put(self, url: str, body: Mapping[str, Any], *, action: str) -> JsonObject:
        """PUT a JSON body and return the JSON answer (see `post`)."""
        response = self._send("PUT", url, action=action, json=dict(body))
        return json_object(response, self._base_url)

    def post_once(self, url: str, body: Mapping[str, Any], *, action: str) -> httpx.Response:
        """POST once, never retried, and return the response whatever its status.

        For requests with side effects outside the broker (executing a webhook calls a CI),
        where a retry would repeat them and a 5xx is an answer worth showing.

        Raises:
            BrokerUnreachable:
                If the broker cannot be reached.
            BrokerAuthError:
                On 401 or 403.
        """
        try:
            response = self._http.post(url, json=dict(body))
        except httpx.TransportError as error:
            msg = f"cannot reach the Pact Broker at {self._base_url}: {describe(error)}"
            raise BrokerUnreachable(msg) from None
        if response.status_code in (httpx.codes.UNAUTHORIZED, httpx.codes.FORBIDDEN):
            raise self._error_for(response, action=action, attempts=1)
        return response

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
                    msg = f"cannot reach the Pact Broker at {self._base_url}: {describe(error)}"
                    raise BrokerUnreachable(msg) from None
                self._wait_before_retry(attempt, f"{describe(error)} ({method} {url})")
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


def _http_client(
    credentials: BrokerAuth, *, timeout: float, transport: httpx.BaseTransport | None
) -> httpx.Client:
    """An httpx client sending the credentials: a bearer token, or basic auth."""
    headers = {"Accept": "application/hal+json, application/json", "User-Agent": _USER_AGENT}
    if credentials.token:
        headers["Authorization"] = f"Bearer {credentials.token}"
    basic = (
        httpx.BasicAuth(credentials.username or "", credentials.password or "")
        if credentials.username or credentials.password
        else None
    )
    return httpx.Client(headers=headers, auth=basic, timeout=timeout, transport=transport)
