"""Benchmarks of the embedded broker over a large, seeded dataset.

:mod:`bench.seed` builds a database shaped like ``pact_broker#872`` (many versions, branches,
publications and verifications over a fixed set of integrations) with bulk inserts;
:mod:`bench.run` starts a live broker over it and times the endpoints CI calls most. Figures are
reported as ratios measured within one run (see ``BENCHMARKS.md``): these machines are noisy, so
absolute milliseconds only mean something next to the ``GET /`` baseline of the same run.
"""
