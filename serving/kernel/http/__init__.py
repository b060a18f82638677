"""HTTP edge helpers shared by every router: problem details, keyset cursors, idempotency keys."""
