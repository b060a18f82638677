"""How the restaurants service is reached: HTTP routers, the Kafka consumer, the seed CLI."""
