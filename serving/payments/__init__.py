"""The payments service: card (through a gateway), wallet (a double-entry ledger), COD.

Pure: ``domain`` (payment and refund rules, idempotency fingerprints), ``ledger``
(balanced journal entries), ``gateway`` (the provider protocol and card checks),
``retry``, ``razorpay_requests``. Adapters: ``sandbox`` and ``razorpay`` (gateways;
the sandbox's shared state is ``sandbox_postgres`` and ``sandbox_tables``),
``tables`` and ``repository`` (PostgreSQL). ``service`` runs one use case in one
transaction; ``router`` is the HTTP surface.
"""
