"""Alembic migrations of every service schema; ``registry`` lists what they manage."""
