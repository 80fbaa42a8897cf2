"""The pact-changed webhook: set it up in the broker, idempotently, and test it.

The seed's `create_or_update_pact_changed_webhook` and `test_pact_changed_webhook`, as
HTTP calls: the webhook fires on `contract_requiring_verification_published` for this
provider and POSTs a GitHub `repository_dispatch` body (`pact_url`, the provider version
`sha` and `branch` that must verify it) to the CI, with the CI's token taken from a broker
secret (`${user.NAME}`) so the token is never stored in the webhook itself.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from pact_pipeline.errors import BrokerRequestError, ConfigurationError
from pact_pipeline.local_ci.token import ci_token

if TYPE_CHECKING:
    from pact_pipeline.broker_client import BrokerClient
    from pact_pipeline.hal import JsonObject
    from pact_pipeline.output import Output
    from pact_pipeline.settings import Settings

PACT_CHANGED_EVENT = "contract_requiring_verification_published"
_NOT_FOUND = 404


def webhook_uuid(settings: Settings, provider: str) -> str:
    """The webhook's fixed uuid: the setting, or one derived from the provider's name."""
    return settings.webhook_uuid or str(uuid.uuid5(uuid.NAMESPACE_URL, f"pact-changed:{provider}"))


def ci_url(settings: Settings) -> str:
    """Where the webhook POSTs: the setting, or the local CI."""
    return settings.webhook_url or f"http://127.0.0.1:{settings.ci_server_port}/dispatches"


def local_ci_targeted(settings: Settings) -> bool:
    """Whether the webhook calls `invoke ci-server` on this machine."""
    return settings.webhook_url is None


def pact_changed_webhook(settings: Settings, provider: str) -> dict[str, Any]:
    """The webhook's definition, as `PUT /webhooks/{uuid}` takes it."""
    return {
        "description": f"{provider}: verify changed pacts (pact-pipeline)",
        "provider": {"name": provider},
        "events": [{"name": PACT_CHANGED_EVENT}],
        "enabled": True,
        "request": {
            "method": "POST",
            "url": ci_url(settings),
            "headers": {
                "Content-Type": "application/json",
                "Accept": "application/vnd.github+json",
                "Authorization": "Bearer ${user." + settings.webhook_secret + "}",
            },
            "body": {
                "event_type": PACT_CHANGED_EVENT,
                "client_payload": {
                    "pact_url": "${pactbroker.pactUrl}",
                    "sha": "${pactbroker.providerVersionNumber}",
                    "branch": "${pactbroker.providerVersionBranch}",
                    "message": "Verify the pact of ${pactbroker.consumerName} "
                    "${pactbroker.consumerVersionNumber} (${pactbroker.consumerVersionBranch}) "
                    "with ${pactbroker.providerName} ${pactbroker.providerVersionNumber}: "
                    "${pactbroker.providerVersionDescriptions}",
                },
            },
        },
    }


def create_or_update(settings: Settings, broker: BrokerClient, out: Output) -> str:
    """Store the CI token as a broker secret and put the webhook; returns its uuid."""
    provider = settings.require_provider("create-or-update-pact-changed-webhook").name
    _ensure_secret(settings, broker, out)
    identifier = webhook_uuid(settings, provider)
    url = f"{broker.base_url}/webhooks/{identifier}"
    existed = broker.get_optional(url, action="read the pact-changed webhook") is not None
    broker.put(url, pact_changed_webhook(settings, provider), action="save the webhook")
    verb = "updated" if existed else "created"
    out.success(
        f"{verb} webhook {identifier}: {PACT_CHANGED_EVENT} for {provider} → POST "
        f"{ci_url(settings)} (token from ${{user.{settings.webhook_secret}}})"
    )
    return identifier


def _ensure_secret(settings: Settings, broker: BrokerClient, out: Output) -> None:
    """Create or update the secret when the token is ours to give; otherwise check it exists."""
    name = settings.webhook_secret
    value = ci_token(settings) if local_ci_targeted(settings) or settings.ci_server_token else None
    secrets_url = f"{broker.base_url}/secrets"
    try:
        listing = broker.get(secrets_url, action="read the broker's secrets")
    except BrokerRequestError as error:
        if error.status != _NOT_FOUND:
            raise
        msg = (
            "this Pact Broker keeps no secrets (no /secrets: an OSS Pact Broker?), so the "
            "webhook cannot send the CI token without storing it in clear; use PactFlow or "
            "the embedded broker"
        )
        raise ConfigurationError(msg) from None
    existing = _find_secret(listing, name)
    if value is None:
        if existing is None:
            msg = (
                f"the broker has no secret {name!r} for the webhook to send: create it "
                "(PactFlow: Settings → Secrets) or set PACT_PIPELINE_CI_SERVER_TOKEN"
            )
            raise ConfigurationError(msg)
        out.info(f"the webhook sends the broker secret {name!r} (already there)")
        return
    body = {"name": name, "description": "the CI token the pact-changed webhook sends"}
    body["value"] = value
    if existing is None:
        broker.post(secrets_url, body, action="create the CI token secret")
        out.info(f"stored the CI token as the broker secret {name!r}")
    else:
        broker.put(_self_href(existing, secrets_url), body, action="update the secret")
        out.info(f"updated the broker secret {name!r} with the CI token")


def _find_secret(listing: JsonObject, name: str) -> JsonObject | None:
    secrets = listing.get("_embedded", {}).get("secrets", [])
    return next((s for s in secrets if isinstance(s, dict) and s.get("name") == name), None)


def _self_href(resource: JsonObject, fallback: str) -> str:
    href = resource.get("_links", {}).get("self", {}).get("href")
    if isinstance(href, str):
        return href
    return f"{fallback}/{resource.get('uuid')}"


def test_webhook(settings: Settings, broker: BrokerClient, out: Output) -> bool:
    """Execute the webhook now (`POST /webhooks/{uuid}/execute`); True if the CI accepted."""
    provider = settings.require_provider("test-pact-changed-webhook").name
    identifier = webhook_uuid(settings, provider)
    url = f"{broker.base_url}/webhooks/{identifier}"
    if broker.get_optional(url, action="read the pact-changed webhook") is None:
        msg = (
            f"there is no pact-changed webhook {identifier} for {provider}: run "
            "`invoke create-or-update-pact-changed-webhook` first"
        )
        raise ConfigurationError(msg)
    response = broker.post_once(f"{url}/execute", {}, action="execute the webhook")
    result: dict[str, Any] = response.json() if _is_json(response.headers) else {}
    answer = result.get("response") or {}
    status = answer.get("status") if isinstance(answer, dict) else None
    success = bool(result.get("success", response.is_success))
    shown = f"the CI answered {status}" if status else "no answer from the CI"
    if success:
        out.success(f"webhook {identifier} executed: {shown}")
    else:
        out.error(f"webhook {identifier} failed: {shown}")
        logs = str(result.get("logs") or "").strip()
        for line in logs.splitlines()[-8:]:
            out.info(f"  {line}")
    return success


def _is_json(headers: Any) -> bool:
    return "json" in str(headers.get("content-type", ""))
