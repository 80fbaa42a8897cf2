"""Which pacts a provider must verify: consumer version selectors, pending and WIP.

Pure functions over facts the repository loads (``reference/broker-api.md`` §5): the
candidate pacts of one provider, what each consumer's branches, tags and environments point
at, and which verifications each pact content has had. The rules return facts (a reason is
the resolved selector that chose a pact); their wording, after the Ruby broker's
``VerifiablePactMessages``, is the API's: :mod:`pact_pipeline.broker.api.representations.notices`.

Version ids stand in for the broker's version ``order``: they grow with creation.
"""

from __future__ import annotations

from pact_pipeline.broker.selection.facts import (
    Candidate,
    ConsumerFacts,
    ProviderFacts,
    Reason,
    Selector,
    VerifiablePact,
    VerificationFact,
    is_overall_latest,
    selector_order,
    sorted_reasons,
)
from pact_pipeline.broker.selection.pending import (
    WIP_VERIFICATION_LOOKBACK,
    VerifiedOn,
    answer,
    is_pending,
    pending_provider_tags,
    questions,
    wip_cutoff,
    wip_pacts,
)
from pact_pipeline.broker.selection.selectors import (
    apply_selectors,
    default_selectors,
    normalise,
    squash,
)

__all__ = [
    "WIP_VERIFICATION_LOOKBACK",
    "Candidate",
    "ConsumerFacts",
    "ProviderFacts",
    "Reason",
    "Selector",
    "VerifiablePact",
    "VerificationFact",
    "VerifiedOn",
    "answer",
    "apply_selectors",
    "default_selectors",
    "is_overall_latest",
    "is_pending",
    "normalise",
    "pending_provider_tags",
    "questions",
    "selector_order",
    "sorted_reasons",
    "squash",
    "wip_cutoff",
    "wip_pacts",
]
