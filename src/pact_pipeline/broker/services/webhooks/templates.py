"""Webhook request templates: ``${pactbroker.X}`` parameters (what the event is about) and
``${user.NAME}`` secrets, filled in only when a request is about to be sent.

Pure functions: no database, no HTTP.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlsplit

from pact_pipeline.broker.models import PactPublication, Verification, Version

PARAMETER = re.compile(r"\$\{pactbroker\.([^}]+)\}")
SECRET = re.compile(r"\$\{user\.([^}]*)\}")
ANY_PLACEHOLDER = re.compile(r"\$\{(?:pactbroker|user)\.[^}]*\}")
SECRET_NAME = re.compile(r"^[A-Za-z0-9_]+$")


class MissingSecretError(Exception):
    """A request names a ``${user.NAME}`` secret that does not exist."""

    def __init__(self, names: list[str]) -> None:
        self.names = names
        listed = ", ".join(names)
        super().__init__(
            f"the webhook uses the secret(s) {listed}, which do not exist: create them with "
            "POST /secrets or correct the webhook"
        )


@dataclass(frozen=True)
class RenderedRequest:
    """A request ready to send (it holds secrets: never log or store it as is)."""

    method: str
    url: str
    headers: dict[str, str]
    body: bytes | None
    username: str | None
    password: str | None


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)
    elif isinstance(value, dict):
        for key, item in value.items():
            yield str(key)
            yield from _strings(item)


def secret_names(request: dict[str, Any]) -> set[str]:
    """The ``${user.NAME}`` secrets a webhook request names (url, headers, body, credentials)."""
    texts = _strings(
        [
            request.get("url"),
            request.get("headers"),
            request.get("body"),
            request.get("username"),
            request.get("password"),
        ]
    )
    return {name for text in texts for name in SECRET.findall(text)}


def render_string(
    text: str,
    params: dict[str, str],
    secrets: dict[str, str],
    escape: Callable[[str], str] | None = None,
) -> str:
    """Fill in parameters and secrets; an unknown parameter stays as written (as Ruby)."""
    escaper = escape or (lambda value: value)

    def parameter(match: re.Match[str]) -> str:
        value = params.get(match.group(1))
        return match.group(0) if value is None else escaper(value)

    def secret(match: re.Match[str]) -> str:
        value = secrets.get(match.group(1))
        if value is None:
            raise MissingSecretError([match.group(1)])
        return escaper(value)

    return SECRET.sub(secret, PARAMETER.sub(parameter, text))


def render_value(value: Any, params: dict[str, str], secrets: dict[str, str]) -> Any:
    """Fill in every string of a JSON value, recursively (keys too)."""
    if isinstance(value, str):
        return render_string(value, params, secrets)
    if isinstance(value, list):
        return [render_value(item, params, secrets) for item in value]
    if isinstance(value, dict):
        return {
            render_string(str(k), params, secrets): render_value(v, params, secrets)
            for k, v in value.items()
        }
    return value


def render_template(value: Any, params: dict[str, str]) -> Any:
    """Fill in ``${pactbroker.X}`` parameters only (secrets left as written)."""
    if isinstance(value, str):
        return PARAMETER.sub(lambda m: params.get(m.group(1), m.group(0)), value)
    if isinstance(value, list):
        return [render_template(item, params) for item in value]
    if isinstance(value, dict):
        return {k: render_template(v, params) for k, v in value.items()}
    return value


def render_request(
    request: dict[str, Any], params: dict[str, str], secrets: dict[str, str]
) -> RenderedRequest:
    """The request to send. Raises :class:`MissingSecretError` naming every unknown secret."""
    missing = sorted(name for name in secret_names(request) if name not in secrets)
    if missing:
        raise MissingSecretError(missing)
    body = request.get("body")
    content: bytes | None
    if body is None:
        content = None
    elif isinstance(body, str):
        content = render_string(body, params, secrets).encode()
    else:
        content = json.dumps(render_value(body, params, secrets)).encode()
    username = request.get("username")
    password = request.get("password")
    return RenderedRequest(
        method=str(request.get("method", "POST")).upper(),
        url=render_string(
            str(request.get("url", "")), params, secrets, lambda v: quote(v, safe="")
        ),
        headers={
            str(k): render_string(str(v), params, secrets)
            for k, v in (request.get("headers") or {}).items()
        },
        body=content,
        username=render_string(str(username), params, secrets) if username else None,
        password=render_string(str(password), params, secrets) if password else None,
    )


def includes_placeholder(value: str) -> bool:
    return ANY_PLACEHOLDER.search(value) is not None


def with_placeholders(url: str, placeholder: str = "placeholder") -> str:
    """A URL with every template replaced, to parse it (Ruby's ``render_with_placeholder``)."""
    return ANY_PLACEHOLDER.sub(placeholder, url)


def url_host(url: str) -> str | None:
    """The host of a (template) URL, or ``None`` when it has none."""
    try:
        return urlsplit(with_placeholders(url)).hostname
    except ValueError:
        return None


def request_description(request: dict[str, Any]) -> str:
    """The Pact Broker's default description of a webhook: its method and host
    (``POST example.org``; ``domain/webhook.rb``, ``webhook_request_template.rb``)."""
    method = str(request.get("method") or "").upper()
    host = url_host(str(request.get("url") or "")) or ""
    if ":" in host:
        host = f"[{host}]"  # as Ruby's URI#host shows an IPv6 address
    return f"{method} {host}".strip()


def display_description(description: str | None, request: dict[str, Any]) -> str:
    """A webhook's description, or the default derived from its request."""
    if description and description.strip():
        return description
    return request_description(request)


# --- parameters ---------------------------------------------------------------------------------


def status_strings(success: bool | None) -> dict[str, str]:
    """The verification status in the words of GitHub, Bitbucket, Azure DevOps and GitLab."""
    if success is None:
        return {
            "githubVerificationStatus": "pending",
            "bitbucketVerificationStatus": "INPROGRESS",
            "azureDevOpsVerificationStatus": "pending",
            "gitlabVerificationStatus": "pending",
        }
    if success:
        return {
            "githubVerificationStatus": "success",
            "bitbucketVerificationStatus": "SUCCESSFUL",
            "azureDevOpsVerificationStatus": "succeeded",
            "gitlabVerificationStatus": "success",
        }
    return {
        "githubVerificationStatus": "failure",
        "bitbucketVerificationStatus": "FAILED",
        "azureDevOpsVerificationStatus": "failed",
        "gitlabVerificationStatus": "failed",
    }


def _branches(version: Version) -> str:
    return ", ".join(bv.branch.name for bv in version.branch_versions)


def pact_params(
    pub: PactPublication, pact_url: str, verification: Verification | None, verification_url: str
) -> dict[str, str]:
    """The ``${pactbroker.X}`` values for a pact and (maybe) a verification of it."""
    consumer_version: Version = pub.consumer_version
    params = {
        "consumerName": pub.consumer.name,
        "providerName": pub.provider.name,
        "consumerVersionNumber": consumer_version.number,
        "consumerVersionTags": ", ".join(t.name for t in consumer_version.tags),
        "consumerVersionBranch": _branches(consumer_version),
        "consumerLabels": ", ".join(label.name for label in pub.consumer.labels),
        "providerLabels": ", ".join(label.name for label in pub.provider.labels),
        "pactUrl": pact_url,
        "verificationResultUrl": verification_url,
        "buildUrl": consumer_version.build_url or "",
        "providerVersionNumber": "",
        "providerVersionTags": "",
        "providerVersionBranch": "",
        "providerVersionDescriptions": "",
        "currentlyDeployedProviderVersionNumber": "",
    }
    if verification is not None:
        provider_version = verification.provider_version
        params["providerVersionNumber"] = provider_version.number
        params["providerVersionTags"] = ", ".join(t.name for t in provider_version.tags)
        params["providerVersionBranch"] = _branches(provider_version)
        params["buildUrl"] = verification.build_url or ""
    params.update(status_strings(None if verification is None else verification.success))
    return params


PLACEHOLDER_KEYS = (
    "consumerName",
    "providerName",
    "consumerVersionNumber",
    "providerVersionNumber",
    "consumerVersionTags",
    "providerVersionTags",
    "consumerVersionBranch",
    "providerVersionBranch",
    "consumerLabels",
    "providerLabels",
    "buildUrl",
    "providerVersionDescriptions",
    "currentlyDeployedProviderVersionNumber",
)


def placeholder_params(base_url: str) -> dict[str, str]:
    """Values for a test execution when no pact matches the webhook (Ruby's placeholder pact)."""
    params = {key: f"placeholder-{key}" for key in PLACEHOLDER_KEYS}
    params["pactUrl"] = base_url + "/pacts/provider/placeholder/consumer/placeholder"
    params["verificationResultUrl"] = base_url + "/verification-results/placeholder"
    params.update(status_strings(None))
    return params
