"""Short documentation pages for the link relations the API advertises (the ``pb:`` and
``beta:`` curies resolve here: ``/doc/{rel}?context=...``). Our own words, in Markdown,
served as HTML."""

from __future__ import annotations

import html

DOCS: dict[str, tuple[str, str]] = {
    # index
    "publish-pact": (
        "Publish a pact",
        "`PUT` a pact document for one consumer version. "
        "Prefer `pb:publish-contracts`, which also records branch and tags.",
    ),
    "publish-contracts": (
        "Publish contracts",
        "`POST` the consumer version, its branch, tags and one or more pacts in one request.",
    ),
    "latest-pact-versions": ("Latest pact versions", "The newest pact of every integration."),
    "tagged-pact-versions": (
        "Pact versions by tag",
        "Every version of one integration's pact whose consumer version has the tag.",
    ),
    "branch-pact-versions": (
        "Pact versions by branch",
        "Every version of one integration's pact published from the consumer branch.",
    ),
    "latest-branch-pact-versions": (
        "Latest pact on a branch",
        "The newest pact of one integration published from the consumer branch, as a list.",
    ),
    "main-branch-pact-versions": (
        "Pact versions on the main branch",
        "Every version of one integration's pact from the consumer's main branch.",
    ),
    "latest-main-branch-pact-versions": (
        "Latest pact on the main branch",
        "The newest pact of one integration from the consumer's main branch.",
    ),
    "provider-pacts-with-main-branch": (
        "Provider pacts from main branches",
        "A provider's pacts published from each consumer's main branch.",
    ),
    "provider-pacts-with-branch": (
        "Provider pacts from a branch",
        "A provider's pacts published from consumer versions on the branch.",
    ),
    "latest-provider-pacts-with-main-branch": (
        "Latest provider pacts from main branches",
        "Per consumer, the newest pact from its main branch.",
    ),
    "latest-provider-pacts-with-branch": (
        "Latest provider pacts from a branch",
        "Per consumer, the newest pact from the branch.",
    ),
    "pacticipants": ("Pacticipants", "Every application known to the broker; `POST` creates one."),
    "pacticipant": ("Pacticipant", "One application by name: `GET`, `PUT`, `PATCH`, `DELETE`."),
    "latest-provider-pacts": (
        "Latest provider pacts",
        "Per consumer, the newest pact with the provider.",
    ),
    "latest-provider-pacts-with-tag": (
        "Latest provider pacts with a tag",
        "Per consumer, the newest pact whose consumer version has the tag.",
    ),
    "provider-pacts-with-tag": (
        "Provider pacts with a tag",
        "Every pact with the provider whose consumer version has the tag.",
    ),
    "provider-pacts": ("Provider pacts", "Every pact with the provider."),
    "latest-version": ("Latest version", "The pacticipant's newest version."),
    "latest-tagged-version": (
        "Latest tagged version",
        "The pacticipant's newest version with the tag.",
    ),
    "webhooks": ("Webhooks", "Every webhook; `POST` creates one."),
    "webhook": ("Webhook", "One webhook by UUID: `GET`, `PUT`, `DELETE`."),
    "integrations": ("Integrations", "Every consumer/provider pair with a pact."),
    "pacticipant-version-tag": ("Version tag", "Get, create (`PUT`) or delete a tag of a version."),
    "pacticipant-branch": ("Branch", "Get or delete a pacticipant's branch."),
    "pacticipant-branch-version": ("Branch version", "Get, or add (`PUT`) a version to a branch."),
    "pacticipant-version": ("Version", "Get, create or delete a pacticipant version."),
    "metrics": ("Metrics", "Counts of the broker's records."),
    "can-i-deploy-pacticipant-version-to-tag": (
        "Can I deploy (to a tag)",
        "Whether a version "
        "is compatible with the latest versions of its "
        "integrations that have the tag.",
    ),
    "can-i-deploy-pacticipant-version-to-environment": (
        "Can I deploy (to an environment)",
        "Whether a version is compatible with what is in the environment.",
    ),
    "provider-pacts-for-verification": (
        "Pacts for verification",
        "`POST` consumer version "
        "selectors; get the pacts the provider must verify, "
        "with pending and WIP flags.",
    ),
    "environments": ("Environments", "Every environment; `POST` creates one."),
    "environment": ("Environment", "One environment by UUID."),
    # pacticipant
    "versions": ("Versions", "The pacticipant's versions, newest first."),
    "branches": ("Branches", "The pacticipant's branches."),
    "version": ("Version", "One version of the pacticipant by number."),
    "version-tag": ("Tag", "A tag of one of the pacticipant's versions."),
    "branch-version": ("Branch version", "A version on one of the pacticipant's branches."),
    "label": ("Label", "Get, add (`PUT`) or remove a label of the pacticipant."),
    "can-i-deploy-badge": (
        "Can I deploy badge",
        "An SVG badge telling whether the latest "
        "version with a tag can be deployed to where another tag is.",
    ),
    "can-i-deploy-branch-to-environment-badge": (
        "Can I deploy badge (branch to environment)",
        "An SVG badge telling whether the head of a branch can be deployed to an environment.",
    ),
    # pact
    "consumer": ("Consumer", "The pact's consumer."),
    "consumer-version": ("Consumer version", "The consumer version that published the pact."),
    "provider": ("Provider", "The pact's provider."),
    "pact-version": ("Pact version", "The pact's content, by its SHA (a permalink)."),
    "latest-pact-version": ("Latest pact", "The integration's newest pact."),
    "all-pact-versions": ("All pact versions", "Every version of the integration's pact."),
    "latest-untagged-pact-version": (
        "Latest untagged pact",
        "The newest pact whose consumer version has no tag.",
    ),
    "latest-tagged-pact-version": (
        "Latest tagged pact",
        "The newest pact whose consumer version has the tag.",
    ),
    "consumer-version-tag": ("Consumer version tag", "A tag of the pact's consumer version."),
    "publish-verification-results": (
        "Publish verification results",
        "`POST` the outcome of verifying this pact.",
    ),
    "latest-verification-results": (
        "Latest verification results",
        "The newest verification of this pact's content.",
    ),
    "matrix-for-consumer-version": ("Matrix", "The matrix rows of the pact's consumer version."),
    "triggered-webhooks": ("Triggered webhooks", "The webhooks the publication triggered."),
    "pact-webhooks": ("Pact webhooks", "The webhooks for this integration."),
    "diff-previous-distinct": ("Diff", "What changed since the previous distinct version."),
    "previous-distinct": ("Previous distinct pact", "The newest earlier pact with other content."),
    # version
    "tag": ("Tag", "A tag of this version: `GET`, `PUT` or `DELETE` it by name."),
    "pact-versions": (
        "Pact versions",
        "The pacts this version published, or the versions of one integration's pact.",
    ),
    "latest-verification-results-where-pacticipant-is-consumer": (
        "Latest verification results of this consumer version",
        "The newest verification of each pact this version published, with a summary.",
    ),
    "branch": ("Branch", "The branch this version is on."),
    "contracts": ("Contracts", "The contracts of a publication."),
    "currently-deployed-deployed-versions": (
        "Currently deployed versions",
        "The versions deployed to the environment now.",
    ),
    "currently-supported-released-versions": (
        "Currently supported released versions",
        "The released versions the environment supports.",
    ),
    "error-logs": ("Error logs", "Why a webhook delivery failed."),
    "logs": ("Logs", "The logs of a webhook delivery."),
    "latest-pact": ("Latest pact", "The integration's newest pact."),
    "pact": ("Pact", "A pact."),
    "pacts": ("Pacts", "A list of pacts."),
    "pacticipants-with-label": (
        "Pacticipants with a label",
        "The pacticipants carrying the label.",
    ),
    "provider-version": ("Provider version", "The provider version a verification ran with."),
    "pacticipant-version-tags": ("Tags", "The version's tags."),
    "record-deployment": (
        "Record deployment",
        "`POST` to record that the version was deployed to the environment.",
    ),
    "record-release": (
        "Record release",
        "`POST` to record that the version was released to the environment.",
    ),
    "deployed-environments": ("Deployed environments", "Where the version is deployed."),
    "released-environments": ("Released environments", "Where the version is released."),
}


def doc_page(rel: str, context: str | None) -> str | None:
    """The HTML page for a relation (its name without the curie), or None if undocumented."""
    found = DOCS.get(rel)
    if found is None:
        return None
    title, text = found
    where = f" (in the {html.escape(context)} resource)" if context else ""
    body = html.escape(text).replace("`", "")
    return (
        "<!doctype html><html><head><meta charset='utf-8'>"
        f"<title>{html.escape(title)}</title></head><body>"
        f"<h1>{html.escape(title)}</h1><p><code>pb:{html.escape(rel)}</code>{where}</p>"
        f"<p>{body}</p></body></html>"
    )
