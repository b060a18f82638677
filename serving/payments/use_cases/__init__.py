"""The payments service's use cases, one concept per module; each runs in one
database transaction.

Money-moving calls (pay, refund, top up) first claim the caller's Idempotency-Key in
that same transaction, and store their answer there before committing: the effect
and the record of it commit together or not at all. A duplicate that arrives while
the first is still running waits on the key's row, then replays the stored answer.

A card call to the gateway happens inside the transaction, with retries. That keeps
"charged but not recorded" impossible to commit; if the process dies mid-call, the
transaction rolls back and the client's retry (same key) derives the same payment
id, hence the same gateway idempotency key, and the gateway returns the first charge
instead of making another. The price is a connection held during the gateway call.

Refusals are the typed errors of ``serving.payments.errors``; ``serving.payments.service``
gathers the use cases as the methods of ``Payments``.
"""
