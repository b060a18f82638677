"""The local stack: real PostgreSQL, Redis and Kafka started on loopback from project folders."""
