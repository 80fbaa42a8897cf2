"""A local CI server for the pact-changed webhook: `invoke ci-server`.

The broker's `contract_requiring_verification_published` webhook POSTs what GitHub's
`repository_dispatch` expects (`event_type`, `client_payload.pact_url/sha/branch`); this server
accepts the same body, so one webhook definition serves GitHub Actions and a laptop. It checks
a bearer token, queues one build per distinct (pact URL, provider version), runs them one at
a time (`invoke ci-webhook` at that provider version) and keeps a log per build.
"""
