"""The restaurants service's PostgreSQL tables and stores, its Redis caches and its peer clients."""
