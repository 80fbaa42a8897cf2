"""Conformance: verify the official Pact Broker clients' consumer pacts against this broker."""
