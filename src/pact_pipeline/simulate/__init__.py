"""`invoke simulate`: the whole contract-testing workflow as a narrated story.

Three teams (a web consumer, a mobile consumer and the provider), each with a git repository
of its own in a throwaway directory, run the real tasks against a throwaway broker, with the
provider's pact-changed webhook calling a local CI; at the end the provider switches to
bi-directional contract testing (it publishes its OpenAPI document instead of running pacts).
Nothing touches the user's checkout or its `.pact-broker/`.
"""
