"""Pure payment rules: no database, HTTP, Redis or Kafka.

``payment`` (payments, refunds, ids, fingerprints, refund rules), ``ledger``
(balanced journal entries), ``gateway`` (the card provider port and card checks).
"""

# The payment limit stays importable from here, where it lived before the domain
# became a package; other services take it from ``serving.payments.api``.
from serving.payments.domain.payment import MAX_AMOUNT_MINOR

__all__ = ["MAX_AMOUNT_MINOR"]
