"""The serving kernel: infrastructure every service shares and that knows no service.

``db`` (engines), ``schema`` (per-service metadata), ``redis``, ``clock``,
``messaging`` (outbox, relay, producer, idempotent consumers, workers), ``http``
(problem details, keyset cursors, idempotency keys), ``auth`` (principals, tokens,
dependencies) and ``gateway`` (middleware). docs/serving-layout.md has the rules.
"""
