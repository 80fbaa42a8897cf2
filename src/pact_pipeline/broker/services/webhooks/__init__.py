"""Webhooks: their definitions, the deliveries events trigger, the delivery loop that makes
them (with retries, exactly once across broker processes), test executions, and the history
the API shows. See the modules for each part."""

from __future__ import annotations

from pact_pipeline.broker.services.webhooks.definitions import (
    EVENTS,
    HTTP_METHODS,
    VERIFICATION_EVENTS,
    WebhookData,
    any_webhook_for,
    create_webhook,
    delete_webhook,
    deploy_for_tag,
    get_webhook,
    is_for,
    list_executions,
    list_executions_page,
    list_webhooks,
    matching_webhooks,
    require_pacticipants_exist,
    upsert_webhook,
)
from pact_pipeline.broker.services.webhooks.delivery import DeliveryWorker
from pact_pipeline.broker.services.webhooks.execution import (
    EventUrls,
    execute_saved,
    execute_unsaved,
)
from pact_pipeline.broker.services.webhooks.sending import AttemptResult
from pact_pipeline.broker.services.webhooks.targets import WebhookPolicy
from pact_pipeline.broker.services.webhooks.templates import (
    display_description,
    pact_params,
    render_template,
    status_strings,
)
from pact_pipeline.broker.services.webhooks.triggers import DeliveryNotifier, Triggered, trigger

__all__ = [
    "EVENTS",
    "HTTP_METHODS",
    "VERIFICATION_EVENTS",
    "AttemptResult",
    "DeliveryNotifier",
    "DeliveryWorker",
    "EventUrls",
    "Triggered",
    "WebhookData",
    "WebhookPolicy",
    "any_webhook_for",
    "create_webhook",
    "delete_webhook",
    "deploy_for_tag",
    "display_description",
    "execute_saved",
    "execute_unsaved",
    "get_webhook",
    "is_for",
    "list_executions",
    "list_executions_page",
    "list_webhooks",
    "matching_webhooks",
    "pact_params",
    "render_template",
    "require_pacticipants_exist",
    "status_strings",
    "trigger",
    "upsert_webhook",
]
