"""Running a webhook now, to test it (``POST /webhooks/{uuid}/execute`` and
``POST /webhooks/execute``): with the newest pact it matches (and, for verification events,
that pact's newest verification), so ``${pactbroker.pactUrl}`` is a real, fetchable pact.
Synchronous, not retried and not recorded, as in the Pact Broker."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy.orm import Session

from pact_pipeline.broker import repository as repo
from pact_pipeline.broker.db import Database
from pact_pipeline.broker.models import PactPublication, Verification, Webhook
from pact_pipeline.broker.services.webhooks.definitions import (
    VERIFICATION_EVENTS,
    WebhookData,
    apply,
    is_for,
    require_webhook,
)
from pact_pipeline.broker.services.webhooks.redaction import redact
from pact_pipeline.broker.services.webhooks.sending import AttemptResult, not_sent, send
from pact_pipeline.broker.services.webhooks.targets import WebhookPolicy
from pact_pipeline.broker.services.webhooks.templates import (
    MissingSecretError,
    pact_params,
    placeholder_params,
    render_request,
    secret_names,
)


class EventUrls(Protocol):
    """The broker's URLs the template parameters name (built by the API layer)."""

    @property
    def base(self) -> str: ...

    def pact_url(self, pub: PactPublication) -> str: ...

    def verification_url(self, verification: Verification) -> str: ...


@dataclass(frozen=True)
class Prepared:
    request: dict[str, Any]
    params: dict[str, str]
    secrets: dict[str, str]
    hidden: list[str]


def _latest_matching(session: Session, webhook: Webhook) -> PactPublication | None:
    if webhook.consumer is not None and webhook.provider is not None:
        return repo.latest_publication(session, webhook.consumer, webhook.provider)
    candidates = [
        pub
        for pub in repo.all_latest_publications(session)
        if is_for(webhook, pub.consumer, pub.provider)
    ]
    return max(candidates, key=lambda pub: pub.id, default=None)


def _params(session: Session, webhook: Webhook, urls: EventUrls) -> dict[str, str]:
    pub = _latest_matching(session, webhook)
    if pub is None:
        params = placeholder_params(urls.base)
    else:
        verification = None
        if VERIFICATION_EVENTS.intersection(webhook.events or []):
            verification = repo.latest_verification(session, pub.pact_version)
        params = pact_params(
            pub,
            urls.pact_url(pub),
            verification,
            "" if verification is None else urls.verification_url(verification),
        )
    params["eventName"] = "test"
    return params


def _prepare(session: Session, webhook: Webhook, urls: EventUrls) -> Prepared:
    request = dict(webhook.request or {})
    return Prepared(
        request,
        _params(session, webhook, urls),
        repo.secret_values(session, secret_names(request)),
        repo.all_secret_values(session),
    )


def _run(prepared: Prepared, policy: WebhookPolicy) -> AttemptResult:
    try:
        rendered = render_request(prepared.request, prepared.params, prepared.secrets)
    except MissingSecretError as exc:
        shown = {"url": redact(str(prepared.request.get("url")), prepared.hidden)}
        return not_sent(shown, str(exc), prepared.params, prepared.hidden)
    return send(rendered, policy, context=prepared.params, hidden=prepared.hidden)


def execute_saved(db: Database, uuid: str, urls: EventUrls, policy: WebhookPolicy) -> AttemptResult:
    """Run a saved webhook now."""
    with db.read() as session:
        prepared = _prepare(session, require_webhook(session, uuid), urls)
    return _run(prepared, policy)


def execute_unsaved(
    db: Database, data: WebhookData, urls: EventUrls, policy: WebhookPolicy
) -> AttemptResult:
    """Run a webhook described by a request body, without saving it."""
    with db.read() as session:
        webhook = Webhook(uuid="")
        with session.no_autoflush:
            apply(session, webhook, data)
            prepared = _prepare(session, webhook, urls)
        session.expunge_all()
    return _run(prepared, policy)
