"""The identity service's PostgreSQL tables and repository, and its login lockout in Redis."""
