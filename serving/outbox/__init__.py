"""The transactional outbox: services append events with their state change, the
relay publishes them to Kafka (at least once, in order per key).

``writer`` appends rows, ``relay`` publishes them, ``kafka_producer`` builds the
producer, ``backoff`` paces retries; ``python -m serving.outbox`` runs the relay.
"""
