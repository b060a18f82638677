"""Pure rules of the restaurants service: no database, Redis, Kafka or HTTP."""
