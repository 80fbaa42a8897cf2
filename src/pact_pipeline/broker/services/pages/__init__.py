"""Use cases of the browsable pages: the aggregates a person looks at, read in one transaction.

The pages show most resources through the API's own representations (one representation per
resource); these are the views the API has no resource for: the integrations at a glance, a
pacticipant's overview, the network, the previous distinct pact for a diff.
"""
