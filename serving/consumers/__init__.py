"""Idempotent Kafka consumers of the services (at-least-once delivery, exactly-once effect).

``processed`` defines the ``processed_events`` table each consuming service keeps in
its own schema; ``framework`` runs a handler per record in one database transaction
with the insert into that table, and commits Kafka offsets only afterwards;
``registry`` names the consumers and ``python -m serving.consumers <name>`` runs them.
"""
