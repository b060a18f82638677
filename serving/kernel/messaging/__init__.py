"""Messaging: the transactional outbox, its relay and producer, idempotent consumers, worker loops."""
